using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Events;
using AuroraNode.Modules.Postgres.Server;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;

namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>
/// The high-availability loop, like Patroni's: every <c>loop_wait</c> it looks at the local server and the lease.
/// A primary renews the lease, and stops taking writes (immediate shutdown) when it could not renew in time or
/// another node holds it. A replica follows the lease holder; when the lease has expired the synchronous standby
/// takes it and promotes. A fenced server waits until Redis answers, then starts again as primary (nobody took
/// over) or rejoins as a replica of the new primary.
/// </summary>
internal sealed partial class ReplicationSupervisor(
    PostgresServer server,
    PostgresDatabase database,
    PostgresOptions options,
    NodeContext node,
    INodeCredentials credentials,
    LeaderLease lease,
    FailoverState state,
    Promotion promotion,
    Switchover switchover,
    IServiceProvider services,
    ILogger<ReplicationSupervisor> logger,
    TimeProvider time) : BackgroundService
{
    // A replica that points at a reachable primary but has not streamed for this long has diverged from it.
    private static readonly TimeSpan DivergedAfter = TimeSpan.FromSeconds(15);

    private FailoverOptions Failover => options.Failover;

    private static readonly TimeSpan WatchdogInterval = TimeSpan.FromMilliseconds(100);

    // A replica that lost Redis looks again this soon, for the first ttl of the outage: the lease's Redis died with the
    // lead, and the Sentinels' new master can answer any moment (a loop_wait later would add up to a second to failover).
    private static readonly TimeSpan ReplicaRetry = TimeSpan.FromMilliseconds(100);

    // After another node's lease runs out, the next look: soon, but not before Redis has expired the key.
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMilliseconds(20);

    private volatile bool _fenced;
    private volatile bool _primaryWithReplicas;
    private string? _pendingRejoin;
    private string? _lastLeader;
    private string? _alerted;
    private DateTimeOffset? _notStreamingSince;
    private bool _onPrimaryTimeline;
    private DateTimeOffset _redisReported;
    private DateTimeOffset _leaseExpiresAt = DateTimeOffset.MaxValue;
    private DateTimeOffset? _replicaLostRedisAt;
    private long _loops;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!state.Active)
        {
            return;
        }

        var watchdog = WatchLeaseAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            var started = time.GetUtcNow();
            try
            {
                await RunOnceAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or RedisException or RedisCommandException or TimeoutException or StartupException or IOException or InvalidOperationException)
            {
                LogLoopFailed(ex.Message);
            }

            var wait = Failover.LoopWait - (time.GetUtcNow() - started);
            if (_replicaLostRedisAt is { } lost && time.GetUtcNow() - lost < Failover.Ttl && ReplicaRetry < wait)
            {
                wait = ReplicaRetry;
            }

            if (_leaseExpiresAt - time.GetUtcNow() is var untilExpiry && untilExpiry < wait)
            {
                wait = untilExpiry; // Look again the moment another node's lease can have expired, like Patroni's watch.
            }

            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await watchdog;
    }

    // Apart from the loop, so a Redis call that hangs cannot keep the primary taking writes past its deadline.
    private async Task WatchLeaseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(WatchdogInterval, time, ct);
                if (!_fenced && _primaryWithReplicas && state.HasDeadline && time.GetUtcNow() >= state.FenceAt)
                {
                    await FenceAsync("the lease was not renewed in time");
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // No longer a primary (handed over, rejoining, a replica): no lease deadline to keep.
    private void StopWatchingLease(string? holder)
    {
        _primaryWithReplicas = false;
        if (state.HasDeadline)
        {
            state.Lost(holder);
        }
    }

    private async Task FenceAsync(string reason)
    {
        if (_fenced)
        {
            return;
        }

        _fenced = true;
        LogFencing(reason);
        state.Lost(null);
        await server.FenceAsync();
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        _loops++;
        if (server.IsStoppedOnPurpose && !_fenced && _pendingRejoin is null)
        {
            return; // A switchover holds the server down and starts it again itself.
        }

        var local = await ReadLocalAsync(ct);
        string? holder;
        _leaseExpiresAt = DateTimeOffset.MaxValue;
        var replica = local is { InRecovery: true } && !_fenced;
        try
        {
            // A replica's look is bounded by one loop: it only reads, and looks again soon when Redis does not answer.
            (holder, var expiresIn) = await lease.HolderWithExpiryAsync(replica ? Min(Failover.RetryTimeout, Failover.LoopWait) : null);
            if (holder is not null && holder != node.Name && expiresIn is { } left)
            {
                _leaseExpiresAt = time.GetUtcNow() + left + ExpiryMargin;
            }

            _replicaLostRedisAt = null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _replicaLostRedisAt = replica ? _replicaLostRedisAt ?? time.GetUtcNow() : null;
            await WithoutRedisAsync(local, ex.Message);
            return;
        }

        state.Saw(holder);
        if (holder is not null && holder != node.Name)
        {
            _lastLeader = holder;
        }

        if (_pendingRejoin is { } target)
        {
            await RejoinAsync(holder is null || holder == node.Name ? target : await lease.AddressOfAsync(holder) ?? target, ct);
        }
        else if (_fenced)
        {
            await SettleFencedAsync(holder, ct);
        }
        else if (local is null)
        {
            return; // Starting, or restarting after a crash.
        }
        else if (!local.InRecovery)
        {
            await AsPrimaryAsync(local, holder, ct);
        }
        else
        {
            await AsReplicaAsync(local, holder, ct);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task<LocalServer?> ReadLocalAsync(CancellationToken ct)
    {
        if (server.IsStoppedOnPurpose || server.Pid is null)
        {
            return null;
        }

        try
        {
            return await LocalServer.ReadAsync(database.Reads, ct).WaitAsync(Failover.RetryTimeout, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return null;
        }
    }

    private async Task AsPrimaryAsync(LocalServer local, string? holder, CancellationToken ct)
    {
        if (holder is not null && holder != node.Name)
        {
            // Another node took over while this one could not see it (a pause, a partition): never two primaries.
            LogAnotherLeader(holder);
            await FenceAsync($"{holder} holds it"); // The next look rejoins the holder as its replica.
            return;
        }

        _primaryWithReplicas = local.Slots > 0;
        var sent = time.GetUtcNow();
        if (_primaryWithReplicas && !await lease.IsUndisputedAsync(ct))
        {
            // Cut off from most Sentinels: another Redis may be the master by now. Not renewing lets the watchdog fence in time.
            LogDisputed();
            return;
        }

        if (!(holder == node.Name ? await lease.RenewAsync(node.Name) : await lease.TryAcquireAsync(node.Name)))
        {
            await FenceAsync("another node took the lease"); // The next look follows the new holder.
            return;
        }

        if (holder is null)
        {
            LogLeaseTaken();
            await lease.PublishAddressAsync(node.Name, database.AddressForOtherNodes!);
        }

        if (_primaryWithReplicas && !await lease.ReachedAReplicaAsync())
        {
            // A renewal only this Redis saw extends nothing on the other side of a partition: the watchdog fences in time.
            LogUnreplicated();
            return;
        }

        state.Renewed(node.Name, sent);
        await lease.PublishPositionAsync(node.Name, local.Lsn, sent);
        if (_loops % 10 == 1)
        {
            await lease.PublishAddressAsync(node.Name, database.AddressForOtherNodes!);
            await promotion.EnsureSlotsAsync(ct);
        }

        if (await lease.SwitchoverRequestAsync() is { } candidate)
        {
            if (await switchover.HandOverAsync(candidate, ct) is { } primary)
            {
                await RejoinAsync(primary, ct);
            }
        }
    }

    private async Task AsReplicaAsync(LocalServer local, string? holder, CancellationToken ct)
    {
        StopWatchingLease(holder);
        if (!options.NoSync)
        {
            await lease.PublishPositionAsync(node.Name, local.Lsn, time.GetUtcNow());
        }

        if (_loops % 10 == 1)
        {
            await lease.PublishAddressAsync(node.Name, database.AddressForOtherNodes!);
        }

        if (holder == node.Name)
        {
            await promotion.PromoteAsync(_lastLeader, ct); // Handed over by a switchover, or won the election last time.
            _alerted = null;
            return;
        }

        if (holder is not null)
        {
            _alerted = null;
            await FollowAsync(holder, local, ct);
            return;
        }

        if (await MayPromoteAsync(local) && await lease.TryAcquireAsync(node.Name))
        {
            state.Renewed(node.Name, time.GetUtcNow());
            await promotion.PromoteAsync(_lastLeader, ct);
        }
    }

    // Only the synchronous standby holds every acknowledged commit; anyone else promotes only when the config accepts loss.
    private async Task<bool> MayPromoteAsync(LocalServer local)
    {
        var sync = await lease.SyncStandbyAsync();
        if (sync == node.Name)
        {
            return true;
        }

        if (!Failover.AllowDataLoss || options.NoSync)
        {
            await AlertOnceAsync("no_failover_candidate", sync is null
                ? $"the primary {_lastLeader ?? "(unknown)"} is gone and had no synchronous standby; no replica promotes (postgres.failover_allow_loss is false)"
                : $"the primary {_lastLeader ?? "(unknown)"} is gone; only its synchronous standby {sync} may promote, and it has not");
            return false;
        }

        var verdict = LossyCandidate.Decide(await lease.PositionsAsync(), node.Name, local.Lsn, _lastLeader, sync, time.GetUtcNow(), Failover);
        if (verdict.Refusal is { } refusal)
        {
            await AlertOnceAsync("no_failover_candidate", refusal);
        }

        if (verdict.Promote)
        {
            LogPromotingWithLoss(verdict.MissingBytes);
        }

        return verdict.Promote;
    }

    private async Task FollowAsync(string holder, LocalServer local, CancellationToken ct)
    {
        if (await lease.AddressOfAsync(holder) is not { } address)
        {
            return;
        }

        database.FollowPrimary(address);
        if (local.StreamsFrom != address)
        {
            LogFollowing(holder, address);
            await RepointAsync(address, ct);
            _notStreamingSince = time.GetUtcNow();
            _onPrimaryTimeline = false;
            return;
        }

        if (local.IsStreaming && (_onPrimaryTimeline || await ReachedPrimaryTimelineAsync(address, local, ct)))
        {
            _notStreamingSince = null;
            return;
        }

        _notStreamingSince ??= time.GetUtcNow();
        if (time.GetUtcNow() - _notStreamingSince > DivergedAfter && await IsReachableAsync(address, ct))
        {
            LogDiverged(address);
            _notStreamingSince = null;
            await RejoinAsync(address, ct);
        }
    }

    // A replica that received WAL the new primary never had (an async replica ahead of the sync standby) streams
    // its old timeline again and again, each time for a moment: only the primary's timeline says it diverged.
    private async Task<bool> ReachedPrimaryTimelineAsync(string address, LocalServer local, CancellationToken ct)
    {
        if (await PrimaryProbe.TimelineAsync(address, server.AdminConnection("postgres", address), ct) is not { } primary)
        {
            return true; // The primary does not answer now: nothing to tell; asked again on the next look.
        }

        _onPrimaryTimeline = local.ReceivedTimeline >= primary;
        return _onPrimaryTimeline;
    }

    // PostgreSQL 13+ takes a new primary_conninfo on reload; the walreceiver reconnects to it.
    private async Task RepointAsync(string address, CancellationToken ct)
    {
        var passFile = StandbyConfig.WritePassFile(node.DataDir, credentials.GetOrCreate(CredentialKeys.ReplicationPassword), credentials.GetOrCreate(CredentialKeys.SuperuserPassword), ClusterInitializer.RunAsUser(options));
        var conninfo = StandbyConfig.Conninfo(address, passFile, node.Name).Replace("'", "''");
        await using var conn = await database.Reads.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition($"ALTER SYSTEM SET primary_conninfo = '{conninfo}'", cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition($"ALTER SYSTEM SET primary_slot_name = '{ReplicaSource.SlotFor(node.Name)}'", cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_reload_conf()", cancellationToken: ct));
        credentials.Set(CredentialKeys.PostgresPrimary, address);
    }

    private async Task WithoutRedisAsync(LocalServer? local, string reason)
    {
        if (time.GetUtcNow() - _redisReported > TimeSpan.FromSeconds(10))
        {
            _redisReported = time.GetUtcNow();
            LogRedisUnreachable(reason, _fenced ? "fenced, waiting for Redis" : local is null ? "server down" : local.InRecovery ? "replica" : "primary");
        }

        if (local is not { InRecovery: false } || _fenced)
        {
            return;
        }

        // With no replica (no slot) nobody can promote, so a lone primary keeps going.
        if (local.Slots > 0 && time.GetUtcNow() >= state.FenceAt)
        {
            await FenceAsync(reason);
        }
    }

    private async Task SettleFencedAsync(string? holder, CancellationToken ct)
    {
        if (holder is null || holder == node.Name)
        {
            await TryResumeAsync(holder, ct);
        }
        else if (await lease.AddressOfAsync(holder) is { } address)
        {
            _fenced = false;
            await RejoinAsync(address, ct);
        }
    }

    // Only on a Redis the Sentinels agree on, and only once its replica has the lease: never on the lone side of a partition.
    private async Task TryResumeAsync(string? holder, CancellationToken ct)
    {
        if (!await lease.IsUndisputedAsync(ct))
        {
            return;
        }

        if ((holder == node.Name ? await lease.RenewAsync(node.Name) : await lease.TryAcquireAsync(node.Name)) && await lease.ReachedAReplicaAsync())
        {
            // Renewed again once the server is back: its crash recovery may take longer than the lease allows.
            LogUnfenced();
            await server.ResumeAsPrimaryAsync(ct);
            _fenced = false;
            var sent = time.GetUtcNow();
            if (await lease.RenewAsync(node.Name) && await lease.ReachedAReplicaAsync())
            {
                state.Renewed(node.Name, sent);
            }
            else
            {
                await FenceAsync("the lease was lost while PostgreSQL started");
            }
        }
    }

    // A rejoin that fails (the primary unreachable for pg_rewind) is tried again on the next loop.
    private async Task RejoinAsync(string address, CancellationToken ct)
    {
        StopWatchingLease(state.Leader);
        _pendingRejoin = address;
        if (!await IsReachableAsync(address, ct))
        {
            return;
        }

        await server.RejoinAsync(address, ct);
        database.FollowPrimary(address);
        _pendingRejoin = null;
        _onPrimaryTimeline = false;
    }

    private Task<bool> IsReachableAsync(string address, CancellationToken ct) => PrimaryProbe.IsPrimaryAsync(address, server.AdminConnection("postgres", address), ct);

    private async Task AlertOnceAsync(string kind, string detail)
    {
        if (_alerted == kind)
        {
            return;
        }

        _alerted = kind;
        LogNoCandidate(detail);
        if (services.GetService<IEventBus>() is { } bus)
        {
            await bus.PublishAsync(EventChannels.SystemAlert, EventEnvelope.Create("alert_raised", node.Name, time.GetUtcNow(), new { node = node.Name, kind, severity = "critical", detail }), CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the leader lease ({Reason}); this node's server: {State}")]
    private partial void LogRedisUnreachable(string reason, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Took the leader lease: this node's PostgreSQL is the mesh's primary")]
    private partial void LogLeaseTaken();

    [LoggerMessage(Level = LogLevel.Error, Message = "{Leader} holds the leader lease, but this node's PostgreSQL runs as a primary: stopping it to rejoin as a replica")]
    private partial void LogAnotherLeader(string leader);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot renew the leader lease ({Reason}): stopping PostgreSQL so it takes no writes another primary could miss")]
    private partial void LogFencing(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The leader lease is this node's again: starting PostgreSQL as the primary")]
    private partial void LogUnfenced();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Most Redis Sentinels do not confirm the Redis this node renews its lease on: not renewing")]
    private partial void LogDisputed();

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Redis replica acknowledged the lease renewal: not counting it")]
    private partial void LogUnreplicated();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following the primary {Leader} at {Address}")]
    private partial void LogFollowing(string leader, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The replica cannot stream from the primary at {Address} although it answers: its WAL diverged; rewinding")]
    private partial void LogDiverged(string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Promoting without a synchronous standby (postgres.failover_allow_loss): up to {Bytes} bytes of WAL the lost primary had may be missing")]
    private partial void LogPromotingWithLoss(long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "No failover: {Detail}")]
    private partial void LogNoCandidate(string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication supervisor: {Reason}")]
    private partial void LogLoopFailed(string reason);
}
