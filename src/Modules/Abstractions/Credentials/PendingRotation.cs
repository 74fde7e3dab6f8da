using System.Globalization;

namespace AuroraNode.Modules.Credentials;

/// <summary>
/// A rotation of the mesh's secrets that has not finished: the planned values, written to the rotating node's
/// credentials file (0600, beside the current ones) before any server changes, so that a crash of that node or a cut-off
/// answer from the primary never loses the only copy of a password a server may already take. The rule: while a rotation
/// is pending and no longer running (the node was killed, or a step's outcome is unknown), a client of that node that
/// fails to authenticate with the current value tries the pending one (and back); while the rotation runs, its clients
/// keep the current values until the new ones are saved, as before;
/// the node finishes the rotation at its next start or within 10 s (every server is brought to the planned values again,
/// which is harmless where they took already), then the values become current in one write and are distributed as
/// after any rotation. Never in Redis or PostgreSQL: the revoked node can read those until it is cut off, and it holds
/// the old mesh key that seals the shared secrets there.
/// </summary>
/// <param name="Planned">The planned values of the keys still pending (a step that surely failed drops its keys).</param>
/// <param name="RevokedNode">The node whose revocation started it: cut off once it finishes.</param>
/// <param name="LockToken">The rotation lock's token, so that the same node takes its own lock over after a crash.</param>
public sealed record PendingRotation(MeshSecrets Planned, string RevokedNode, string LockToken)
{
    /// <summary>Prefix of the pending entries in <c>data_dir/credentials</c>: <c>mesh.pending.redis.password</c>, ….</summary>
    public const string Prefix = "mesh.pending.";

    /// <summary>Redis key naming the node that owns a pending rotation (no secret): another node refuses to rotate meanwhile.</summary>
    public const string MarkerRedisKey = "aurora:mesh:credentials_pending";

    private const string VersionKey = Prefix + "version";
    private const string RevokedKey = Prefix + "revoked_node";
    private const string LockKey = Prefix + "lock_token";
    private const string RunnerKey = Prefix + "running_in";

    // This process: a rotation saved by another one (before a crash) is no longer running.
    private static readonly string ThisProcess = Guid.NewGuid().ToString("N");

    /// <summary>Every entry a pending rotation can have in the credentials file, to remove them.</summary>
    public static IReadOnlyList<string> CredentialEntries { get; } = [.. MeshSecrets.Keys.Select(k => Prefix + k), VersionKey, RevokedKey, LockKey, RunnerKey];

    /// <summary>The rotation pending on this node, or null.</summary>
    public static PendingRotation? Read(INodeCredentials credentials)
    {
        if (credentials.Get(RevokedKey) is not { Length: > 0 } revoked)
        {
            return null;
        }

        var values = new Dictionary<string, string>();
        foreach (var key in MeshSecrets.Keys)
        {
            if (credentials.Get(Prefix + key) is { Length: > 0 } value)
            {
                values[key] = value;
            }
        }

        return new PendingRotation(new MeshSecrets(MeshSecrets.ParseVersion(credentials.Get(VersionKey)), values), revoked, credentials.Get(LockKey) ?? "");
    }

    /// <summary>
    /// The pending value of <paramref name="key"/> when it differs from the current one and the rotation is not running
    /// in this process: the other password a client tries.
    /// </summary>
    public static string? OtherValue(INodeCredentials credentials, string key) =>
        credentials.Get(RevokedKey) is { Length: > 0 } && credentials.Get(RunnerKey) != ThisProcess
        && credentials.Get(Prefix + key) is { Length: > 0 } pending && pending != credentials.Get(key) ? pending : null;

    /// <summary>The entries to store in <c>data_dir/credentials</c>; <paramref name="running"/> while this process is changing the servers.</summary>
    public Dictionary<string, string> ToCredentials(bool running)
    {
        var entries = Planned.Values.ToDictionary(v => Prefix + v.Key, v => v.Value);
        entries[VersionKey] = Planned.Version.ToString(CultureInfo.InvariantCulture);
        entries[RevokedKey] = RevokedNode;
        entries[LockKey] = LockToken;
        entries[RunnerKey] = running ? ThisProcess : "";
        return entries;
    }

    /// <summary>Never the values.</summary>
    public override string ToString() => $"pending rotation after revoking {RevokedNode} ({string.Join(", ", Planned.Values.Keys)})";
}
