using System.Text.Json;
using StackExchange.Redis;

namespace AuroraNode.Modules.Registry.Nodes;

/// <summary>What the registry knows, with the time each node was last heard from.</summary>
/// <param name="Nodes">Every node with its last heartbeat.</param>
/// <param name="FromCache">True when Redis was unreachable and this is the last copy this node read.</param>
internal sealed record RegistrySnapshot(IReadOnlyList<(NodeRecord Node, DateTimeOffset? LastSeen)> Nodes, bool FromCache);

/// <summary>
/// The registry's state in Redis (shared by every node, so any node answers the same), and this node's last
/// copy of it, which it serves when Redis is unreachable.
/// </summary>
internal sealed class NodeStore(Modules.Redis.IRedis redis)
{
    private const string NodesKey = "aurora:registry:nodes";
    private const string LastSeenKey = "aurora:registry:last_seen";
    private RegistrySnapshot _cache = new([], true);

    public bool IsConnected => redis.Connection.IsConnected;

    public async Task UpsertAsync(NodeRecord node) =>
        await redis.Connection.GetDatabase().HashSetAsync(NodesKey, node.Name, JsonSerializer.Serialize(node));

    public async Task TouchAsync(string name, DateTimeOffset at) =>
        await redis.Connection.GetDatabase().HashSetAsync(LastSeenKey, name, at.ToUnixTimeMilliseconds());

    public async Task RemoveAsync(string name)
    {
        var db = redis.Connection.GetDatabase();
        await db.HashDeleteAsync(NodesKey, name);
        await db.HashDeleteAsync(LastSeenKey, name);
    }

    /// <summary>One node's record, or null when it isn't registered.</summary>
    public async Task<NodeRecord?> FindAsync(string name)
    {
        var value = await redis.Connection.GetDatabase().HashGetAsync(NodesKey, name);
        return value.IsNull ? null : Parse(value.ToString());
    }

    public async Task<RegistrySnapshot> ReadAsync()
    {
        if (!IsConnected)
        {
            return _cache with { FromCache = true }; // Don't make every caller wait out a command timeout.
        }

        try
        {
            var db = redis.Connection.GetDatabase();
            var nodes = await db.HashGetAllAsync(NodesKey);
            var seen = (await db.HashGetAllAsync(LastSeenKey)).ToDictionary(e => e.Name.ToString(), e => (long)e.Value);
            var list = new List<(NodeRecord, DateTimeOffset?)>();
            foreach (var entry in nodes)
            {
                if (Parse(entry.Value.ToString()) is { } node)
                {
                    list.Add((node, seen.TryGetValue(node.Name, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null));
                }
            }

            _cache = new RegistrySnapshot(list.OrderBy(n => n.Item1.Name, StringComparer.Ordinal).ToList(), false);
            return _cache;
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return _cache with { FromCache = true };
        }
    }

    // A record written by something else that isn't ours to read is skipped, not fatal.
    private static NodeRecord? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<NodeRecord>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
