namespace AuroraNode.Modules.Registry.HealthReports;

/// <summary>Health reports and the alert thresholds (<c>modules.registry.*</c>).</summary>
/// <param name="Interval">How often each node reports (<c>health_report_interval</c>).</param>
/// <param name="History">Reports kept per node (<c>health_history</c>).</param>
/// <param name="AlertAfter">Consecutive bad reports (or offline checks) before an alert (<c>alert_after</c>), so one spike doesn't page anyone.</param>
/// <param name="DiskPercent">Disk use above this raises <c>disk_full</c>.</param>
/// <param name="MemoryPercent">Memory use above this raises <c>memory_high</c>.</param>
/// <param name="ReplicationLag">Replication lag above this raises <c>replication_lag</c>.</param>
internal sealed record HealthReportOptions(TimeSpan Interval, int History, int AlertAfter, double DiskPercent, double MemoryPercent, TimeSpan ReplicationLag);
