using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Registry.Credentials;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Registry.Api;
using AuroraNode.Modules.Registry.HealthReports;
using AuroraNode.Modules.Registry.Joining;
using AuroraNode.Modules.Registry.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules.Registry;

/// <summary>The node registry: who is in the mesh, what they have, and whether they are alive (state shared through Redis).</summary>
public sealed class RegistryModule : IAuroraModule
{
    public string Name => "registry";

    public IReadOnlySet<NodeRole> Roles => NodeRoles.All;

    public IReadOnlyList<string> Requires => ["redis", "eventbus"];

    public void ConfigureServices(IServiceCollection services, ConfigReader config, NodeContext node)
    {
        var options = new RegistryOptions(
            config.Duration("heartbeat_interval", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100)),
            config.Duration("warning_after", TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100)),
            config.Duration("offline_after", TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(100)),
            config.Duration("prune_after", TimeSpan.FromHours(72), TimeSpan.FromSeconds(1)));
        if (options.WarningAfter <= options.HeartbeatInterval)
        {
            config.Error("warning_after", $"must be longer than heartbeat_interval ({Durations.Format(options.HeartbeatInterval)}), or healthy nodes show 'warning'");
        }

        if (options.OfflineAfter <= options.WarningAfter)
        {
            config.Error("offline_after", $"must be longer than warning_after ({Durations.Format(options.WarningAfter)})");
        }

        var reports = new HealthReportOptions(
            config.Duration("health_report_interval", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)),
            config.Int("health_history", 60, 1, 10_000),
            config.Int("alert_after", 3, 1, 100),
            config.Int("alert_disk_percent", 90, 0, 100),
            config.Int("alert_memory_percent", 90, 0, 100),
            config.Duration("alert_replication_lag", TimeSpan.FromSeconds(1), TimeSpan.Zero));

        services.AddSingleton(options);
        services.AddSingleton(reports);
        services.AddSingleton<NodeStore>();
        services.AddSingleton<HealthReportStore>();
        services.AddSingleton<JoinTokens>();
        services.AddHostedService<HealthReporter>();
        if (node.Roles.Contains(NodeRole.Lead))
        {
            services.AddHostedService<AlertEvaluator>();
        }

        services.AddSingleton<Heartbeats>();
        services.AddHostedService(sp => sp.GetRequiredService<Heartbeats>());
        services.AddSingleton<IModuleHealth, RegistryHealth>();
        services.AddSingleton<CredentialRotation>();
        services.AddSingleton<IMeshCredentialRotation>(sp => sp.GetRequiredService<CredentialRotation>());
        services.AddHostedService<CredentialSync>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app)
    {
        app.MapRegistryApi();
        app.MapHealthReportApi();
        app.MapJoinApi();
        app.MapMeshCredentialsApi();
    }
}
