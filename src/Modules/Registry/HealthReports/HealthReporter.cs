using AuroraNode.Modules.Data;
using AuroraNode.Modules.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Registry.HealthReports;

/// <summary>Every report interval: this node's CPU, memory, disk and module states, stored for the lead to read.</summary>
internal sealed partial class HealthReporter(
    HealthReportStore store,
    IModuleStates modules,
    ILogCounts logCounts,
    IEnumerable<IReplicationState> replication,
    NodeContext node,
    HealthReportOptions options,
    ILogger<HealthReporter> logger,
    TimeProvider time) : BackgroundService
{
    private readonly SystemUsage _usage = new();

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        _usage.CpuPercent(); // The first sample only starts the CPU measurement.
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Interval, time, ct);
                var states = await modules.ReadAsync(ct);
                var logged = logCounts.Take();
                var report = new HealthReport(
                    node.Name,
                    time.GetUtcNow(),
                    _usage.CpuPercent(),
                    SystemUsage.MemoryPercent(),
                    SystemUsage.DiskPercent(node.DataDir),
                    states.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value?.ToString().ToLowerInvariant()),
                    await LagSecondsAsync(ct),
                    logged.Errors,
                    logged.Warnings,
                    logged.ByModule);
                await store.SaveAsync(report);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogNotStored(ex.Message);
            }
        }
    }

    private async Task<double?> LagSecondsAsync(CancellationToken ct)
    {
        try
        {
            return replication.FirstOrDefault() is { } state ? await state.LagSecondsAsync(ct) : null;
        }
        catch (System.Data.Common.DbException)
        {
            return null; // PostgreSQL is down: its module state says so.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Health report not stored: {Reason}")]
    private partial void LogNotStored(string reason);
}
