using AuroraNode.Configuration;
using AuroraNode.Hosting;
using AuroraNode.Modules;
using Prometheus;

namespace AuroraNode.Api;

/// <summary>Per-module and node metrics on <c>/metrics</c>, refreshed just before each scrape.</summary>
internal static class ModuleMetrics
{
    private static readonly Gauge ModuleUp = Prometheus.Metrics.CreateGauge(
        "aurora_module_up", "1 when the module is loaded and running, 0 when loaded and not running.", "module");

    private static readonly Gauge NodeInfo = Prometheus.Metrics.CreateGauge(
        "aurora_node_info", "Always 1; the labels describe the node.", "node", "version", "roles");

    public static void Register(IServiceProvider services)
    {
        // prometheus-net would start its .NET Meters adapter at the first scrape and miss what happened before it.
        // It skips ASP.NET Core's and Kestrel's per-request instruments: UseHttpMetrics covers HTTP, and adapting
        // each request's measurements halves the API's throughput.
        Prometheus.Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
        MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = i => !i.Meter.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && i.Meter.Name != "System.Net.Http",
        });
        var settings = services.GetRequiredService<NodeSettings>();
        NodeInfo.WithLabels(settings.Node.Name, settings.Node.Version, string.Join(",", settings.Node.Roles.Order().Select(r => r.ToConfigName()))).Set(1);
        var status = services.GetRequiredService<ModuleStatus>();
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(async ct =>
        {
            foreach (var module in (await status.CurrentAsync(ct)).Where(m => m.Loaded))
            {
                ModuleUp.WithLabels(module.Name).Set(module.IsRunning ? 1 : 0);
            }
        });
    }
}
