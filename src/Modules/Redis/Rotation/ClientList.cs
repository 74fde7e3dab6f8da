namespace AuroraNode.Modules.Redis.Rotation;

/// <summary>The answer of <c>CLIENT LIST</c>: one line per connection, <c>id=7 addr=10.0.0.5:51234 ... name=aurora-node:gpu1 ...</c>.</summary>
internal static class ClientList
{
    /// <summary>The client name a node's connections carry.</summary>
    public static string NameOf(string node) => $"aurora-node:{node}";

    /// <summary>The ids of the connections that <paramref name="node"/> made: named after it, or from <paramref name="address"/> when given.</summary>
    public static IReadOnlyList<string> IdsOf(string clientList, string node, string? address)
    {
        var name = NameOf(node);
        return Ids(clientList, fields =>
        {
            var host = fields.TryGetValue("addr", out var addr) && addr.LastIndexOf(':') is var colon and > 0 ? addr[..colon] : null;
            return fields.GetValueOrDefault("name") == name || (address is not null && host == address);
        });
    }

    /// <summary>
    /// The ids of the connections of the Sentinel whose id is <paramref name="sentinelId"/>: it names them
    /// <c>sentinel-&lt;first 8 characters of its id&gt;-cmd</c> and <c>-pubsub</c>.
    /// </summary>
    public static IReadOnlyList<string> IdsOfSentinel(string clientList, string sentinelId)
    {
        var prefix = $"sentinel-{sentinelId[..Math.Min(8, sentinelId.Length)]}-";
        return Ids(clientList, fields => fields.GetValueOrDefault("name")?.StartsWith(prefix, StringComparison.Ordinal) == true);
    }

    /// <summary>The ids of the replicas' links to this master (flag S): Redis does not tell which replica each one is.</summary>
    public static IReadOnlyList<string> ReplicaIds(string clientList) =>
        Ids(clientList, fields => fields.GetValueOrDefault("flags")?.Contains('S', StringComparison.Ordinal) == true);

    private static List<string> Ids(string clientList, Func<Dictionary<string, string>, bool> select)
    {
        var ids = new List<string>();
        foreach (var line in clientList.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.Split('=', 2))
                .Where(p => p.Length == 2)
                .GroupBy(p => p[0])
                .ToDictionary(g => g.Key, g => g.First()[1]);
            if (fields.TryGetValue("id", out var id) && select(fields))
            {
                ids.Add(id);
            }
        }

        return ids;
    }
}
