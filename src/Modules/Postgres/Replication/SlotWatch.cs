using System.Diagnostics.Metrics;
using AuroraNode.Modules.Events;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

namespace AuroraNode.Modules.Postgres.Replication;

/// <summary>
/// On the primary: watches the WAL each replica's slot holds back against <c>max_slot_wal_keep_size</c> and raises
/// an alert on <c>aurora:system:alert</c> when a slot nears the bound, loses its WAL, or is dropped. Exported as
/// <c>aurora_replication_slot_retained_bytes{slot}</c>.
/// </summary>
internal sealed partial class SlotWatch(
    PostgresDatabase database,
    PostgresOptions options,
    NodeContext node,
    IServiceProvider services,
    ILogger<SlotWatch> logger,
    TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly Meter Meter = new("aurora");

    private const string SlotsSql = """
        SELECT slot_name::text AS slot, wal_status::text AS walstatus,
               pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS retainedbytes
        FROM pg_replication_slots WHERE slot_type = 'physical' ORDER BY 1
        """;

    // pg_settings gives the bound in MB; -1 is unbounded.
    private const string LimitSql = "SELECT CASE WHEN setting = '-1' THEN NULL ELSE setting::bigint * 1024 * 1024 END FROM pg_settings WHERE name = 'max_slot_wal_keep_size'";

    private readonly SlotAlerts _alerts = new(options.SlotAlertPercent);
    private IReadOnlyList<SlotSample> _last = [];

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        Meter.CreateObservableGauge("replication_slot_retained_bytes",
            () => _last.Where(s => s.RetainedBytes is not null).Select(s => new Measurement<long>(s.RetainedBytes!.Value, new KeyValuePair<string, object?>("slot", s.Slot))),
            unit: "By", description: "WAL each replication slot holds back on this primary.");
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, ct);
                await CheckAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or RedisException or RedisTimeoutException or TimeoutException)
            {
                LogCheckFailed(ex.Message);
            }
        }
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        await using var conn = await database.Reads.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_is_in_recovery()", cancellationToken: ct)))
        {
            _alerts.Reset(); // A replica's slots are not its to watch; a promoted one starts afresh.
            _last = [];
            return;
        }

        _last = (await conn.QueryAsync<SlotSample>(new CommandDefinition(SlotsSql, cancellationToken: ct))).ToList();
        var limit = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(LimitSql, cancellationToken: ct));
        foreach (var alert in _alerts.Evaluate(_last, limit))
        {
            await PublishAsync(alert, ct);
        }
    }

    private async Task PublishAsync(SlotAlert alert, CancellationToken ct)
    {
        var type = alert.Raised ? "alert_raised" : "alert_resolved";
        LogAlert(type, alert.Kind, alert.Detail);
        if (services.GetService<IEventBus>() is { } bus)
        {
            await bus.PublishAsync(EventChannels.SystemAlert, EventEnvelope.Create(type, node.Name, time.GetUtcNow(), new
            {
                node = node.Name,
                kind = alert.Kind,
                severity = alert.Severity,
                slot = alert.Slot,
                detail = alert.Detail,
            }), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Type}: {Kind} ({Detail})")]
    private partial void LogAlert(string type, string kind, string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replication slot check failed: {Reason}")]
    private partial void LogCheckFailed(string reason);
}
