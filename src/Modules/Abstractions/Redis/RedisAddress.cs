namespace AuroraNode.Modules.Redis;

/// <summary>How other nodes reach the mesh's Redis: what a node receives when it joins.</summary>
/// <param name="Endpoint">host:port of the current master.</param>
/// <param name="Password">The password, or null when the server needs none.</param>
/// <param name="Sentinels">host:port of every Redis Sentinel known, empty when the mesh runs none.</param>
public sealed record RedisAddress(string Endpoint, string? Password, IReadOnlyList<string> Sentinels);
