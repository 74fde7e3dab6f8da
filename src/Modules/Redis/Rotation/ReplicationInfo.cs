namespace AuroraNode.Modules.Redis.Rotation;

/// <summary>The replicas a master lists in <c>INFO replication</c> (<c>slave0:ip=10.0.0.2,port=6380,state=online,...</c>), as host:port.</summary>
internal static class ReplicationInfo
{
    public static IReadOnlyList<string> Replicas(string info) =>
        info.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("slave", StringComparison.Ordinal) && l.Length > 5 && char.IsAsciiDigit(l[5]) && l.Contains(':'))
            .Select(l => l[(l.IndexOf(':') + 1)..].Split(',').Select(f => f.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]))
            .Where(f => f.ContainsKey("ip") && f.ContainsKey("port"))
            .Select(f => $"{f["ip"]}:{f["port"]}")
            .Distinct()
            .ToList();
}
