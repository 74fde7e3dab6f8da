using AuroraNode.Modules.Events;
using AuroraNode.Modules.Registry.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Registry.HealthReports;

/// <summary>
/// On the lead: applies the thresholds to every new health report and to every node's status, and publishes
/// <c>alert_raised</c> / <c>alert_resolved</c> on <c>aurora:system:alert</c> once per incident.
/// </summary>
internal sealed partial class AlertEvaluator(
    HealthReportStore reports,
    NodeStore nodes,
    IEventBus bus,
    HealthReportOptions options,
    RegistryOptions registry,
    ILogger<AlertEvaluator> logger,
    TimeProvider time) : BackgroundService
{
    private readonly IncidentTracker _incidents = new(options.AlertAfter);
    private readonly Dictionary<string, DateTimeOffset> _evaluated = [];

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Interval, time, ct);
                foreach (var sample in await SamplesAsync())
                {
                    var change = _incidents.Observe(sample);
                    if (change != AlertChange.None)
                    {
                        await PublishAsync(sample, change, ct);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogEvaluationFailed(ex.Message);
            }
        }
    }

    private async Task<List<AlertSample>> SamplesAsync()
    {
        var samples = new List<AlertSample>();
        foreach (var report in (await reports.LatestAsync()).Values)
        {
            // Each report counts once; a silent node is judged by its status instead.
            if (_evaluated.GetValueOrDefault(report.Node) < report.Timestamp)
            {
                _evaluated[report.Node] = report.Timestamp;
                samples.AddRange(AlertRules.Check(report, options));
            }
        }

        var now = time.GetUtcNow();
        foreach (var (node, lastSeen) in (await nodes.ReadAsync()).Nodes)
        {
            samples.Add(AlertRules.Offline(node.Name, NodeStatus.Of(node.State, lastSeen, now, registry)));
        }

        return samples;
    }

    private async Task PublishAsync(AlertSample sample, AlertChange change, CancellationToken ct)
    {
        var type = change == AlertChange.Raised ? "alert_raised" : "alert_resolved";
        var severity = sample.Kind is "node_offline" or "module_failed" ? "critical" : "warning";
        LogAlert(type, sample.Kind, sample.Node, sample.Detail);
        await bus.PublishAsync(EventChannels.SystemAlert, EventEnvelope.Create(type, bus.NodeName, time.GetUtcNow(), new
        {
            node = sample.Node,
            kind = sample.Kind,
            severity,
            detail = sample.Detail,
        }), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Type}: {Kind} on {Node} ({Detail})")]
    private partial void LogAlert(string type, string kind, string node, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert evaluation skipped: {Reason}")]
    private partial void LogEvaluationFailed(string reason);
}
