using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Router.Api;
using AuroraNode.Modules.Router.Backends;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Models;
using AuroraNode.Modules.Router.Routing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Router;

/// <summary>
/// LLM generation across the mesh: Ollama- and OpenAI-compatible endpoints over llama.cpp and over the Ollama or
/// OpenAI servers the node fronts, each request routed to the node that should finish it first (by the load every
/// node publishes). Models load on first use and unload after keep_alive, a bounded queue per model. Nothing loads
/// at start: a node without llama.cpp or models starts as fast as any other and routes to those that have them.
/// </summary>
public sealed class RouterModule : IAuroraModule
{
    public string Name => "router";

    public IReadOnlySet<NodeRole> Roles => NodeRoles.All;

    public void ConfigureServices(IServiceCollection services, ConfigReader config, NodeContext node)
    {
        var options = RouterOptions.Read(config, node);
        services.AddSingleton(options);
        services.AddSingleton(sp => new DigestCache(DigestCache.FileIn(node.DataDir), sp.GetRequiredService<ILogger<DigestCache>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DigestCache>());
        services.AddSingleton<LocalLibrary>();
        services.AddSingleton(sp =>
        {
            var pool = new ModelPool(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ModelPool>>());
            RouterMetrics.Observe(pool);
            return pool;
        });
        services.AddSingleton<LocalInference>();
        services.AddSingleton<ModelDetailsCache>();
        services.AddHostedService<KeepAliveSweep>();

        services.AddSingleton(options.Routing);
        services.AddSingleton<SpeedBook>();
        services.AddSingleton<BackendSet>();
        services.AddSingleton<BackendClient>();
        services.AddSingleton<OllamaOverOpenAi>();
        services.AddSingleton<BackendRelay>();
        services.AddHostedService<BackendDiscovery>();
        services.AddSingleton<LocalLoad>();
        services.AddSingleton<PeerTable>();
        services.AddHostedService(sp => sp.GetRequiredService<PeerTable>());
        services.AddHostedService<LoadPublisher>();
        services.AddSingleton<PeerClient>();
        services.AddHostedService<PeerProbe>();
        services.AddSingleton<MeshModels>();
        services.AddSingleton<Cooldowns>();
        services.AddSingleton<Corrections>();
        services.AddSingleton<InFlight>();
        services.AddSingleton<RoutePlanner>();
        services.AddSingleton<RouteFilter>();
        services.AddSingleton<IModuleHealth, RouterHealth>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapRouterApi();
}
