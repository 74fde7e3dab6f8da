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
        var ids = new List<string>();
        foreach (var line in clientList.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.Split('=', 2))
                .Where(p => p.Length == 2)
                .GroupBy(p => p[0])
                .ToDictionary(g => g.Key, g => g.First()[1]);
            if (!fields.TryGetValue("id", out var id))
            {
                continue;
            }

            var host = fields.TryGetValue("addr", out var addr) && addr.LastIndexOf(':') is var colon and > 0 ? addr[..colon] : null;
            if (fields.GetValueOrDefault("name") == name || (address is not null && host == address))
            {
                ids.Add(id);
            }
        }

        return ids;
    }
}
