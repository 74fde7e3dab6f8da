namespace AuroraNode.Api;

/// <summary>The body of <c>GET /api/v1/node</c>.</summary>
internal sealed record NodeInfo(
    string Name,
    IReadOnlyList<string> Roles,
    string Version,
    DateTimeOffset StartedAt,
    long UptimeSeconds,
    string AdvertiseAddress,
    string Api,
    string DataDir,
    int Pid,
    long? Starts,
    bool Ready,
    IReadOnlyList<ModuleInfo> Modules);

/// <summary>One module in <see cref="NodeInfo"/>: state is null when the module isn't loaded here.</summary>
internal sealed record ModuleInfo(string Name, bool Loaded, string? State, string Detail, IReadOnlyDictionary<string, object?>? Data);
