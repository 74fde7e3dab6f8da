using System.Text.Json.Serialization;

namespace AuroraNode.Modules.Registry.HealthReports;

/// <summary>
/// What a node reports about itself every report interval (<c>POST /api/health-report</c> has the same shape).
/// <c>errors</c> and <c>warnings</c> count what the node logged since its previous report.
/// </summary>
internal sealed record HealthReport(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("cpu_percent")] double? CpuPercent,
    [property: JsonPropertyName("memory_percent")] double? MemoryPercent,
    [property: JsonPropertyName("disk_percent")] double? DiskPercent,
    [property: JsonPropertyName("modules")] IReadOnlyDictionary<string, string?>? Modules,
    [property: JsonPropertyName("replication_lag_seconds")] double? ReplicationLagSeconds,
    [property: JsonPropertyName("errors")] int? Errors = null,
    [property: JsonPropertyName("warnings")] int? Warnings = null,
    [property: JsonPropertyName("log_problems_by_module")] IReadOnlyDictionary<string, int>? LogProblemsByModule = null);
