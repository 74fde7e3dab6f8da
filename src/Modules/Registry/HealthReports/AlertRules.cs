namespace AuroraNode.Modules.Registry.HealthReports;

/// <summary>One check of one node: is <paramref name="Kind"/> bad right now, and the value that says so.</summary>
internal sealed record AlertSample(string Node, string Kind, bool Bad, string Detail);

/// <summary>The thresholds applied to a report, and to a node's registry status.</summary>
internal static class AlertRules
{
    public static IEnumerable<AlertSample> Check(HealthReport report, HealthReportOptions options)
    {
        yield return new(report.Node, "disk_full", report.DiskPercent > options.DiskPercent, $"disk {report.DiskPercent}% (threshold {options.DiskPercent}%)");
        yield return new(report.Node, "memory_high", report.MemoryPercent > options.MemoryPercent, $"memory {report.MemoryPercent}% (threshold {options.MemoryPercent}%)");
        yield return new(report.Node, "replication_lag", report.ReplicationLagSeconds > options.ReplicationLag.TotalSeconds, $"replication lag {report.ReplicationLagSeconds}s (threshold {options.ReplicationLag.TotalSeconds}s)");
        var failed = (report.Modules ?? new Dictionary<string, string?>()).Where(m => m.Value == "failed").Select(m => m.Key).ToList();
        yield return new(report.Node, "module_failed", failed.Count > 0, failed.Count > 0 ? $"failed: {string.Join(", ", failed)}" : "all modules up");
    }

    public static AlertSample Offline(string node, string status) => new(node, "node_offline", status == "offline", $"status {status}");
}

/// <summary>What to publish after a sample: nothing, a new alert, or the end of one.</summary>
internal enum AlertChange
{
    None,
    Raised,
    Resolved,
}

/// <summary>
/// One incident per node and kind: raised after <c>alert_after</c> bad samples in a row, resolved by the first good
/// sample after that. No flapping: a single bad or good sample in between changes nothing.
/// </summary>
internal sealed class IncidentTracker(int alertAfter)
{
    private readonly Dictionary<(string Node, string Kind), (int BadInARow, bool Open)> _state = [];

    public AlertChange Observe(AlertSample sample)
    {
        var key = (sample.Node, sample.Kind);
        var (bad, open) = _state.GetValueOrDefault(key);
        if (sample.Bad)
        {
            bad++;
            _state[key] = (bad, open || bad >= alertAfter);
            return !open && bad >= alertAfter ? AlertChange.Raised : AlertChange.None;
        }

        _state[key] = (0, false);
        return open ? AlertChange.Resolved : AlertChange.None;
    }

    public IEnumerable<(string Node, string Kind)> Open => _state.Where(s => s.Value.Open).Select(s => s.Key);
}
