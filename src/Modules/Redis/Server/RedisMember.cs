namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// The Redis server and Sentinel a node runs (host:port, as the other nodes reach them), recorded in the mesh's Redis
/// (hash <see cref="HashKey"/>, node → <c>server|sentinel</c>) so that revoking a node can leave them out of a
/// rotation, cut its replica off and remove its Sentinel.
/// </summary>
internal sealed record RedisMember(string? Server, string? Sentinel)
{
    public const string HashKey = "aurora:redis:members";

    /// <summary>Sentinels of revoked nodes: every node drops them from those it knows and counts.</summary>
    public const string RemovedSentinelsKey = "aurora:redis:sentinels_removed";

    public string Value => $"{Server}|{Sentinel}";

    public static RedisMember? Parse(string? value) =>
        value?.Split('|') is [var server, var sentinel] ? new RedisMember(server is "" ? null : server, sentinel is "" ? null : sentinel) : null;
}
