using IRedis = AuroraNode.Modules.Redis.IRedis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>
/// The mesh's replication state in Redis, as Patroni keeps it in its DCS: the leader lease (the node whose PostgreSQL
/// is the primary, with a TTL the primary renews), the synchronous standby (the one node guaranteed to hold every
/// acknowledged commit, so the only one that may promote without loss), each member's server address and last WAL
/// position, and a requested switchover. Every call is bounded by <c>retry_timeout</c>.
/// </summary>
internal sealed class LeaderLease(IServiceProvider services, PostgresOptions options)
{
    private readonly ReplicaAcks _acks = new(TimeSpan.FromSeconds(2));

    public const string LeaderKey = "aurora:replication:leader";
    public const string SyncKey = "aurora:replication:sync";
    public const string SyncStrictKey = "aurora:replication:sync_strict";
    public const string AddressesKey = "aurora:replication:addresses";
    public const string PositionsKey = "aurora:replication:positions";
    public const string SwitchoverKey = "aurora:replication:switchover";

    // Renews or hands over only while the caller holds the lease: a primary that lost it can't take it back by renewing.
    private static readonly LuaScript SetIfHolder = LuaScript.Prepare(
        "if redis.call('GET', @key) == @holder then return redis.call('SET', @key, @next, 'PX', @ttl) else return false end");

    private TimeSpan Timeout => options.Failover.RetryTimeout;

    private TimeSpan ReplicaWait => TimeSpan.FromMilliseconds(Math.Min(500, options.Failover.LoopWait.TotalMilliseconds / 2));

    /// <summary>False when the node has no Redis (the module is off): there is no lease, and no failover.</summary>
    public bool Available => services.GetService<IRedis>() is not null;

    private IDatabase Db => services.GetRequiredService<IRedis>().Connection.GetDatabase();

    /// <summary>False when the Redis holding the lease may have been replaced by a Sentinel failover this node did not see.</summary>
    public async Task<bool> IsUndisputedAsync(CancellationToken ct) =>
        await services.GetRequiredService<IRedis>().MasterIsUndisputedAsync(ct).WaitAsync(Timeout / 2, ct);

    /// <summary>The node that holds the lease, or null when it has expired.</summary>
    public async Task<string?> HolderAsync() => (string?)await Db.StringGetAsync(LeaderKey).WaitAsync(Timeout);

    /// <summary>The holder and how long its lease has left, so a replica can look again the moment it expires.</summary>
    public async Task<(string? Holder, TimeSpan? ExpiresIn)> HolderWithExpiryAsync(TimeSpan? timeout = null)
    {
        var lease = await Db.StringGetWithExpiryAsync(LeaderKey).WaitAsync(timeout ?? Timeout);
        return ((string?)lease.Value, lease.Expiry);
    }

    /// <summary>Takes the lease if nobody holds it.</summary>
    public async Task<bool> TryAcquireAsync(string node) =>
        await Db.StringSetAsync(LeaderKey, node, options.Failover.Ttl, When.NotExists).WaitAsync(Timeout);

    /// <summary>Extends the lease of <paramref name="node"/>; false when it is not (or no longer) the holder.</summary>
    public async Task<bool> RenewAsync(string node) => await HandOverAsync(node, node);

    /// <summary>
    /// True when the Redis that holds the lease has no live replica, or one acknowledged every write so far (the
    /// lease just written included). A master cut off from its replicas may be replaced by a Sentinel failover on
    /// the other side, where this node's lease then expires on the last write that got there. Callers ask only
    /// right after <see cref="IsUndisputedAsync"/>: with most Sentinels confirming this master no failover can
    /// happen elsewhere, so a replica silent for 2 s (<see cref="ReplicaAcks"/>; cut off from the lead alone) is not
    /// waited for — otherwise the lead would stop its PostgreSQL until Redis drops that replica (60 s).
    /// </summary>
    public async Task<bool> ReachedAReplicaAsync()
    {
        var role = (RedisResult[])(await Db.ExecuteAsync("ROLE").WaitAsync(Timeout))!;
        var listed = (RedisResult[])role[2]!;
        if ((string?)role[0] != "master" || listed.Length == 0)
        {
            return true;
        }

        // Each replica: [ip, port, acknowledged offset].
        var replicas = listed.Select(r => (RedisResult[])r!).Select(r => ($"{(string?)r[0]}:{(string?)r[1]}", long.Parse((string)r[2]!, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        if (_acks.AllSilent((long)role[1], replicas, services.GetRequiredService<TimeProvider>().GetUtcNow()))
        {
            return true;
        }

        // WAIT holds the shared connection while it waits: kept short, it costs a round trip when the replica answers.
        var acknowledged = (long)await Db.ExecuteAsync("WAIT", 1, (long)ReplicaWait.TotalMilliseconds).WaitAsync(Timeout);
        return acknowledged >= 1;
    }

    /// <summary>Gives the lease of <paramref name="holder"/> to <paramref name="next"/> (a planned switchover).</summary>
    public async Task<bool> HandOverAsync(string holder, string next)
    {
        var result = await Db.ScriptEvaluateAsync(SetIfHolder, new { key = (RedisKey)LeaderKey, holder, next, ttl = (long)options.Failover.Ttl.TotalMilliseconds }).WaitAsync(Timeout);
        return !result.IsNull;
    }


    public async Task<string?> SyncStandbyAsync() => (string?)await Db.StringGetAsync(SyncKey).WaitAsync(Timeout);

    public async Task SetSyncStandbyAsync(string? node)
    {
        if (node is null)
        {
            await Db.KeyDeleteAsync(SyncKey).WaitAsync(Timeout);
        }
        else
        {
            await Db.StringSetAsync(SyncKey, node).WaitAsync(Timeout);
        }
    }

    /// <summary>Records the primary's <c>postgres.sync_strict</c>: a node that handles a revocation checks the primary's setting, not its own.</summary>
    public async Task PublishSyncStrictAsync(bool strict) => await Db.StringSetAsync(SyncStrictKey, strict ? "true" : "false").WaitAsync(Timeout);

    /// <summary>The primary's <c>postgres.sync_strict</c> as it last recorded it, or null when no primary has yet.</summary>
    public async Task<bool?> SyncStrictAsync() => (string?)await Db.StringGetAsync(SyncStrictKey).WaitAsync(Timeout) switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    public async Task PublishAddressAsync(string node, string address) =>
        await Db.HashSetAsync(AddressesKey, node, address).WaitAsync(Timeout);

    public async Task<string?> AddressOfAsync(string node) => (string?)await Db.HashGetAsync(AddressesKey, node).WaitAsync(Timeout);

    /// <summary>Drops a revoked node's address and position: no failover decision counts it from then on.</summary>
    public async Task ForgetAsync(string node)
    {
        await Db.HashDeleteAsync(AddressesKey, node).WaitAsync(Timeout);
        await Db.HashDeleteAsync(PositionsKey, node).WaitAsync(Timeout);
    }

    /// <summary>Records how far <paramref name="node"/>'s server has written or received WAL, and when.</summary>
    public async Task PublishPositionAsync(string node, long lsn, DateTimeOffset at) =>
        await Db.HashSetAsync(PositionsKey, node, $"{lsn}|{at.ToUnixTimeMilliseconds()}").WaitAsync(Timeout);

    public async Task<IReadOnlyList<WalPosition>> PositionsAsync()
    {
        var entries = await Db.HashGetAllAsync(PositionsKey).WaitAsync(Timeout);
        return entries.Select(e => WalPosition.Parse(e.Name!, e.Value!)).OfType<WalPosition>().ToList();
    }

    /// <summary>Asks the primary to hand over to <paramref name="candidate"/>; false when another switchover is pending.</summary>
    public async Task<bool> RequestSwitchoverAsync(string candidate) =>
        await Db.StringSetAsync(SwitchoverKey, candidate, TimeSpan.FromSeconds(60), When.NotExists).WaitAsync(Timeout);

    public async Task<string?> SwitchoverRequestAsync() => (string?)await Db.StringGetAsync(SwitchoverKey).WaitAsync(Timeout);

    public async Task ClearSwitchoverAsync() => await Db.KeyDeleteAsync(SwitchoverKey).WaitAsync(Timeout);

    public async Task SetResultAsync(string key, string json) => await Db.StringSetAsync(key, json, TimeSpan.FromMinutes(5)).WaitAsync(Timeout);

    public async Task<string?> ResultAsync(string key) => (string?)await Db.StringGetAsync(key).WaitAsync(Timeout);

    public async Task ClearResultAsync(string key) => await Db.KeyDeleteAsync(key).WaitAsync(Timeout);
}

/// <summary>A member's last published WAL position.</summary>
internal sealed record WalPosition(string Node, long Lsn, DateTimeOffset At)
{
    public static WalPosition? Parse(string node, string value)
    {
        var bar = value.IndexOf('|');
        return bar > 0 && long.TryParse(value[..bar], out var lsn) && long.TryParse(value[(bar + 1)..], out var ms)
            ? new WalPosition(node, lsn, DateTimeOffset.FromUnixTimeMilliseconds(ms))
            : null;
    }
}
