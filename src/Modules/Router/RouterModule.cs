using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Router.Api;
using AuroraNode.Modules.Router.Inference;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Router;

/// <summary>
/// LLM generation on this node: Ollama- and OpenAI-compatible endpoints over llama.cpp, models loaded on first use
/// and unloaded after keep_alive, a bounded queue per model. Nothing loads at start: a node without llama.cpp or
/// models starts as fast as any other and answers generation requests with 503 and the reason.
/// </summary>
public sealed class RouterModule : IAuroraModule
{
    public string Name => "router";

    public IReadOnlySet<NodeRole> Roles => NodeRoles.All;

    public void ConfigureServices(IServiceCollection services, ConfigReader config, NodeContext node)
    {
        var options = RouterOptions.Read(config, node);
        services.AddSingleton(options);
        services.AddSingleton<LocalLibrary>();
        services.AddSingleton(sp =>
        {
            var pool = new ModelPool(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ModelPool>>());
            RouterMetrics.Observe(pool);
            return pool;
        });
        services.AddSingleton<LocalInference>();
        services.AddHostedService<KeepAliveSweep>();
        services.AddSingleton<IModuleHealth, RouterHealth>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapRouterApi();
}
