using System.Collections.Concurrent;
using System.Security.Cryptography;
using AuroraNode.Modules.Security;
using StackExchange.Redis;

namespace AuroraNode.Modules.Auth.Nodes;

/// <summary>
/// The nodes' enrolled keys as this node last read them from Redis, each trusted for <c>session_check_cache</c>
/// (1 s): a revocation reaches every node within that. A key that cannot be read fails the request closed.
/// </summary>
internal sealed class NodeKeyCache(Redis.IRedis redis, AuthLimits limits, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    /// <summary>The node's record and its parsed key (null when it never enrolled, or its key is unreadable).</summary>
    public async Task<(NodeKeyRecord? Record, ECDsa? Key)> GetAsync(string node)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(node, out var cached) && now - cached.ReadAt < limits.SessionCheckCache)
        {
            return (cached.Record, cached.Key);
        }

        var record = await NodeKeys.GetAsync(redis.Connection.GetDatabase(), node).WaitAsync(TimeSpan.FromSeconds(2));
        var key = cached?.Record?.PublicKey == record?.PublicKey ? cached?.Key : NodeKeys.ParsePublicKey(record?.PublicKey);
        _entries[node] = new Entry(record, key, now);
        return (record, key);
    }

    /// <summary>Forgets the node's key, so the next request reads it again (after this node revoked it).</summary>
    public void Forget(string node) => _entries.TryRemove(node, out _);

    private sealed record Entry(NodeKeyRecord? Record, ECDsa? Key, DateTimeOffset ReadAt);
}
