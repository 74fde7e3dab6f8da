using System.Security.Cryptography;

namespace AuroraNode.Modules.Credentials;

/// <summary>
/// The secrets every node of the mesh shares (the Redis password, PostgreSQL's superuser and replication passwords, the
/// mesh key that seals the signing keys):
/// what a node received when it joined, and what revoking a node rotates. Values never reach a log.
/// </summary>
/// <param name="Version">The rotation they belong to (unix milliseconds of it; 0 before the first rotation).</param>
/// <param name="Values">Credential key → value, for the keys in <see cref="Keys"/> this node has.</param>
public sealed record MeshSecrets(long Version, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>The credential keys a rotation renews.</summary>
    public static readonly IReadOnlyList<string> Keys = [CredentialKeys.RedisPassword, CredentialKeys.SuperuserPassword, CredentialKeys.ReplicationPassword, CredentialKeys.AuthMeshKey];

    /// <summary>The event on <c>aurora:events:global</c> after a rotation: <c>{version, url}</c>, the node to fetch the new values from.</summary>
    public const string RotatedEvent = "mesh_credentials_rotated";

    /// <summary>Redis key holding the current <see cref="Version"/> (no secret): a node that missed the event notices it there.</summary>
    public const string VersionRedisKey = "aurora:mesh:credentials_version";

    /// <summary>The node-only endpoint that serves a node's current values to another node of the mesh.</summary>
    public const string EndpointPath = "/api/v1/mesh/credentials";

    /// <summary>The value under <paramref name="key"/>, or null.</summary>
    public string? this[string key] => Values.GetValueOrDefault(key);

    /// <summary>What <paramref name="credentials"/> holds now.</summary>
    public static MeshSecrets Read(INodeCredentials credentials)
    {
        var values = new Dictionary<string, string>();
        foreach (var key in Keys)
        {
            if (credentials.Get(key) is { } value)
            {
                values[key] = value;
            }
        }

        return new MeshSecrets(ParseVersion(credentials.Get(CredentialKeys.MeshCredentialsVersion)), values);
    }

    /// <summary>A version for a rotation at <paramref name="now"/>: later than <paramref name="current"/> even if the clock went back.</summary>
    public static long NextVersion(long current, DateTimeOffset now) => Math.Max(current + 1, now.ToUnixTimeMilliseconds());

    /// <summary>The stored form of a version; 0 when absent or not a number.</summary>
    public static long ParseVersion(string? text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>New random values for every key in <see cref="Keys"/>, as version <paramref name="version"/>.</summary>
    public MeshSecrets Renewed(long version) => new(version, Keys.ToDictionary(k => k, _ => NewPassword()));

    /// <summary>These values, with those of <paramref name="keys"/> taken from <paramref name="other"/> (a rotation step that failed keeps the old ones).</summary>
    public MeshSecrets WithValuesOf(MeshSecrets other, IEnumerable<string> keys)
    {
        var values = new Dictionary<string, string>(Values);
        foreach (var key in keys)
        {
            if (other[key] is { } value)
            {
                values[key] = value;
            }
            else
            {
                values.Remove(key);
            }
        }

        return this with { Values = values };
    }

    /// <summary>The entries to store in <c>data_dir/credentials</c> (the values and the version) in one write.</summary>
    public Dictionary<string, string> ToCredentials() => new(Values)
    {
        [CredentialKeys.MeshCredentialsVersion] = Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>32 random bytes as base64url: safe inside SQL literals, redis.conf and URLs (and the mesh key's form).</summary>
    public static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Never the values: a record's default ToString would print them.</summary>
    public override string ToString() => $"mesh secrets version {Version} ({string.Join(", ", Values.Keys)})";
}
