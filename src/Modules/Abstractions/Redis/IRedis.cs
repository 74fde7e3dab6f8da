using StackExchange.Redis;

namespace AuroraNode.Modules.Redis;

/// <summary>The mesh's Redis as every module sees it (the node's own server, or the one <c>redis.url</c> names).</summary>
public interface IRedis
{
    /// <summary>The shared connection; it reconnects by itself when Redis comes back.</summary>
    IConnectionMultiplexer Connection { get; }

    /// <summary>How other nodes reach this Redis (the advertise address for the node's own server).</summary>
    RedisAddress AddressForOtherNodes { get; }
}
