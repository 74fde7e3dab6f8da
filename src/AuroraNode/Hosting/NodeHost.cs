using System.Net;
using System.Text.Json;
using AuroraNode.Api;
using AuroraNode.Configuration;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Data;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Security;
using Prometheus;
using Serilog;

namespace AuroraNode.Hosting;

/// <summary>Builds the node: one generic host with the HTTP API, the loaded modules and their background services.</summary>
internal static class NodeHost
{
    public static WebApplicationBuilder CreateBuilder() =>
        WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });

    /// <summary>Adds the host's own services to a builder whose module services <see cref="NodeConfig.Load"/> registered.</summary>
    public static WebApplication Build(WebApplicationBuilder builder, NodeConfig config, NodeRun run)
    {
        var settings = config.Settings;
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(run.Logger, dispose: true);
        builder.Host.UseSystemd();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(90));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            if (IPAddress.TryParse(settings.Api.Host, out var ip))
            {
                kestrel.Listen(ip, settings.Api.Port);
            }
            else if (settings.Api.Host == "localhost")
            {
                kestrel.ListenLocalhost(settings.Api.Port);
            }
            else
            {
                kestrel.ListenAnyIP(settings.Api.Port);
            }
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ErrorResponses.Customize);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Node);
        builder.Services.AddSingleton(settings.Api);
        builder.Services.AddSingleton(config.Modules);
        builder.Services.AddSingleton<INodeCredentials>(run.Credentials);
        builder.Services.AddSingleton(run.SigningKey);
        builder.Services.AddNodeAccess(config);
        builder.Services.AddSingleton<ILogCounts>(run.LogCounts);
        builder.Services.AddSingleton(NodeStartHistory.Migrations);
        builder.Services.AddSingleton<ModuleStatus>();
        builder.Services.AddSingleton<IModuleStates>(sp => sp.GetRequiredService<ModuleStatus>());
        builder.Services.AddSingleton<NodeStartHistory>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeStartHistory>());

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = ErrorResponses.StatusFor });
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapNodeApi();
        foreach (var plan in config.Modules.Where(p => p.Loaded))
        {
            plan.Module.MapEndpoints(app);
        }

        app.MapMetrics("/metrics").RequireAuthorization(AccessPolicies.Metrics);
        ModuleMetrics.Register(app.Services);
        return app;
    }
}
