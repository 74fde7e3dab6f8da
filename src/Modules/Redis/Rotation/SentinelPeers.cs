namespace AuroraNode.Modules.Redis.Rotation;

/// <summary>The answer of <c>SENTINEL SENTINELS aurora</c>: the other Sentinels a Sentinel knows, each a flat list of field, value.</summary>
internal static class SentinelPeers
{
    /// <summary>The run id of the Sentinel at <paramref name="endpoint"/> (host:port), or null when the answer does not list it.</summary>
    public static string? IdOf(object? reply, string endpoint)
    {
        foreach (var peer in (reply as object?[] ?? []).OfType<object?[]>())
        {
            var fields = new Dictionary<string, string>();
            for (var i = 0; i + 1 < peer.Length; i += 2)
            {
                if (peer[i] is string key && peer[i + 1] is string value)
                {
                    fields[key] = value;
                }
            }

            if ($"{fields.GetValueOrDefault("ip")}:{fields.GetValueOrDefault("port")}" == endpoint && fields.TryGetValue("runid", out var id) && id.Length > 0)
            {
                return id;
            }
        }

        return null;
    }
}
