using StackExchange.Redis;

namespace AuroraNode.Modules.Redis;

/// <summary>The mesh's Redis as every module sees it (the node's own server, or the one <c>redis.url</c> names).</summary>
public interface IRedis
{
    /// <summary>The shared connection; it reconnects by itself when Redis comes back.</summary>
    IConnectionMultiplexer Connection { get; }

    /// <summary>How other nodes reach this Redis (the advertise address for the node's own server).</summary>
    RedisAddress AddressForOtherNodes { get; }

    /// <summary>
    /// False when the master this connection writes to may have been replaced behind this node's back: too many of
    /// the mesh's Sentinels did not confirm it (cut off, or naming another) for a majority to be ruled out. Always
    /// true without Sentinels. A primary that renews a lease on a disputed master could be the second primary.
    /// </summary>
    Task<bool> MasterIsUndisputedAsync(CancellationToken ct);
}
