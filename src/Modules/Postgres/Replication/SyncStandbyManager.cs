using AuroraNode.Modules.Events;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AuroraNode.Modules.Postgres.Failover;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

namespace AuroraNode.Modules.Postgres.Replication;

/// <summary>
/// On the primary: keeps <c>synchronous_standby_names</c> pointing at a backup (or, after a failover, the former lead)
/// that streams and is caught up, so a commit returns only once that standby has it (no committed data lost on
/// failover), and records the standby in Redis as the one node that may promote. With no such backup the primary
/// either goes on asynchronously and raises an alert (the default) or keeps waiting for one, blocking commits
/// (<c>postgres.sync_strict</c>), like Patroni's synchronous mode and its strict variant.
/// </summary>
internal sealed partial class SyncStandbyManager(
    PostgresDatabase database,
    PostgresOptions options,
    FailoverState failover,
    LeaderLease lease,
    NodeContext node,
    IServiceProvider services,
    ILogger<SyncStandbyManager> logger,
    TimeProvider time) : BackgroundService
{
    /// <summary>
    /// The standby a strict primary waits for when none qualifies (its own was revoked): a name no node can have
    /// (node names have no ':'), so every commit blocks until a backup streams and is chosen, as Patroni's
    /// <c>synchronous_mode_strict</c> keeps the primary from going on asynchronously.
    /// </summary>
    public const string AwaitingBackup = "aurora:awaiting-backup";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SyncWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan SyncPoll = TimeSpan.FromMilliseconds(10);

    // Backups (not nosync) whose stream is live and caught up, best first; the current choice stays while it qualifies.
    private const string CandidatesSql = """
        SELECT r.application_name
        FROM pg_stat_replication r
        JOIN replication.members m ON m.node = r.application_name
        WHERE ('backup' = ANY (m.roles) OR 'lead' = ANY (m.roles)) AND NOT m.nosync AND r.state = 'streaming'
        ORDER BY (r.application_name = @Current) DESC, r.replay_lsn DESC NULLS LAST
        """;

    private string? _current;
    private bool _alerted;
    private bool _strictPublished;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, ct);
                await ApplyAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or RedisException or TimeoutException)
            {
                LogCheckFailed(ex.Message);
            }
        }
    }

    private async Task ApplyAsync(CancellationToken ct)
    {
        await using var conn = await database.Reads.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_is_in_recovery()", cancellationToken: ct)))
        {
            return; // A replica has no standbys to choose.
        }

        if (!failover.HoldsLease)
        {
            _strictPublished = false;
            return; // Only the primary that holds the lease decides; one that may have been replaced changes nothing.
        }

        if (!_strictPublished && lease.Available)
        {
            // Whoever handles a revocation asks whether this primary would block without its standby.
            await lease.PublishSyncStrictAsync(options.SyncStrict);
            _strictPublished = true;
        }

        var configured = await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT current_setting('synchronous_standby_names')", cancellationToken: ct)) ?? "";
        _current ??= configured.Trim('"') is { Length: > 0 } name ? name : null;
        var best = (await conn.QueryAsync<string>(new CommandDefinition(CandidatesSql, new { Current = _current ?? "" }, cancellationToken: ct))).FirstOrDefault();
        if (best is not null)
        {
            if (failover.Active && _current is not null && best != _current)
            {
                await lease.SetSyncStandbyAsync(null); // The old standby is no longer sure to have every commit.
            }

            await SetAsync(conn, best, ct);
            if (failover.Active && await BecomesSyncAsync(conn, best, ct))
            {
                // Recorded only once PostgreSQL waits for it: from then on it alone may promote without loss.
                await lease.SetSyncStandbyAsync(best);
            }

            if (_alerted)
            {
                _alerted = false;
                await AlertAsync("alert_resolved", $"{best} is the synchronous standby again", ct);
            }

            return;
        }

        if (options.SyncStrict)
        {
            // Keep waiting for the standby: commits block until it is back, or another backup streams.
            if (!_alerted && configured.Trim('"') is { Length: > 0 } waitingFor)
            {
                _alerted = true;
                LogWaitingForStandby(waitingFor == AwaitingBackup ? "another backup" : waitingFor);
                await AlertAsync("alert_raised", "no backup streams from the primary: commits block until one does (postgres.sync_strict)", ct);
            }

            return;
        }

        if (failover.Active)
        {
            await lease.SetSyncStandbyAsync(null); // First: a standby that stops being waited for must not be trusted to promote.
        }

        // A primary that had a standby (revoked, or gone) alerts too, though no backup may be a member any more.
        var had = _current is not null;
        await SetAsync(conn, null, ct);
        if (!_alerted && (had || await HasBackupMemberAsync(conn, ct)))
        {
            _alerted = true;
            LogNoStandby();
            await AlertAsync("alert_raised", "no backup streams from the primary: commits are not synchronously replicated", ct);
        }
    }

    private async Task SetAsync(NpgsqlConnection conn, string? standby, CancellationToken ct)
    {
        if (standby == _current && await IsSetAsync(conn, standby, ct))
        {
            return;
        }

        // ALTER SYSTEM takes no parameters; the name is a node name (letters, digits, '-', '_') quoted as an identifier.
        var value = standby is null ? "" : $"\"{standby}\"";
        await conn.ExecuteAsync(new CommandDefinition($"ALTER SYSTEM SET synchronous_standby_names = '{value}'", cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_reload_conf()", cancellationToken: ct));
        _current = standby;
        LogStandby(standby ?? "none (asynchronous)");
    }

    private static async Task<bool> IsSetAsync(NpgsqlConnection conn, string? standby, CancellationToken ct) =>
        (await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT current_setting('synchronous_standby_names')", cancellationToken: ct)) ?? "").Trim('"') == (standby ?? "");

    // Its walsender takes the reload a moment after SetAsync: looked at until then, so the standby PostgreSQL waits for
    // is recorded within milliseconds, not a check later (a failover in that second would find no candidate).
    private async Task<bool> BecomesSyncAsync(NpgsqlConnection conn, string standby, CancellationToken ct)
    {
        var until = time.GetUtcNow() + SyncWait;
        while (!await IsSyncAsync(conn, standby, ct))
        {
            if (time.GetUtcNow() >= until)
            {
                return false;
            }

            await Task.Delay(SyncPoll, time, ct);
        }

        return true;
    }

    private static async Task<bool> IsSyncAsync(NpgsqlConnection conn, string standby, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = @Standby AND sync_state = 'sync')", new { Standby = standby }, cancellationToken: ct));

    private async Task<bool> HasBackupMemberAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM replication.members WHERE ('backup' = ANY (roles) OR 'lead' = ANY (roles)) AND node <> @Me AND NOT nosync)", new { Me = node.Name }, cancellationToken: ct));

    private async Task AlertAsync(string type, string detail, CancellationToken ct)
    {
        if (services.GetService<IEventBus>() is { } bus)
        {
            await bus.PublishAsync(EventChannels.SystemAlert, EventEnvelope.Create(type, node.Name, time.GetUtcNow(), new
            {
                node = node.Name,
                kind = "sync_standby_missing",
                severity = "warning",
                detail,
            }), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Synchronous standby: {Standby}")]
    private partial void LogStandby(string standby);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No backup streams from this primary: commits go on without a synchronous standby (postgres.sync_strict: true would block them instead)")]
    private partial void LogNoStandby();

    [LoggerMessage(Level = LogLevel.Warning, Message = "No backup streams from this primary: commits block until {Standby} streams (postgres.sync_strict)")]
    private partial void LogWaitingForStandby(string standby);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Synchronous standby check failed: {Reason}")]
    private partial void LogCheckFailed(string reason);
}
