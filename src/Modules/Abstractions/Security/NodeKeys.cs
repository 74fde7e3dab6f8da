using System.Security.Cryptography;
using System.Text.Json;
using StackExchange.Redis;

namespace AuroraNode.Modules.Security;

/// <summary>
/// The nodes' public keys in the mesh's Redis (hash <c>aurora:mesh:node_keys</c>, one JSON field per node): written
/// when a node joins (the lead enrolls itself), marked revoked by <c>aurora-node nodes revoke</c>. Every node reads
/// them to verify signed requests.
/// </summary>
public static class NodeKeys
{
    /// <summary>The Redis hash: node name → its <see cref="NodeKeyRecord"/> as JSON.</summary>
    public const string HashKey = "aurora:mesh:node_keys";

    /// <summary>Records <paramref name="publicKey"/> for <paramref name="node"/>, replacing what was there (a join the lead accepted).</summary>
    public static Task EnrollAsync(IDatabase redis, string node, string publicKey, DateTimeOffset now) =>
        redis.HashSetAsync(HashKey, node, Serialize(new NodeKeyRecord(publicKey, now, null)));

    /// <summary>Records the key only when the node has none yet (the lead, or a node that uses the mesh's Redis without joining); false when one is there.</summary>
    public static Task<bool> EnrollIfAbsentAsync(IDatabase redis, string node, string publicKey, DateTimeOffset now) =>
        redis.HashSetAsync(HashKey, node, Serialize(new NodeKeyRecord(publicKey, now, null)), When.NotExists);

    /// <summary>The node's record, or null when it never enrolled.</summary>
    public static async Task<NodeKeyRecord?> GetAsync(IDatabase redis, string node)
    {
        var value = await redis.HashGetAsync(HashKey, node);
        return value.IsNullOrEmpty ? null : Deserialize(value!);
    }

    /// <summary>Marks the node's key revoked; false when the node has no key.</summary>
    public static async Task<NodeKeyRecord?> RevokeAsync(IDatabase redis, string node, DateTimeOffset now)
    {
        if (await GetAsync(redis, node) is not { } record)
        {
            return null;
        }

        var revoked = record with { RevokedAt = record.RevokedAt ?? now };
        await redis.HashSetAsync(HashKey, node, Serialize(revoked));
        return revoked;
    }

    /// <summary>The P-256 key in <paramref name="publicKey"/> (base64 SubjectPublicKeyInfo), or null when it is not one.</summary>
    public static ECDsa? ParsePublicKey(string? publicKey)
    {
        if (publicKey is not { Length: > 0 and <= 512 })
        {
            return null;
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKey), out _);
            if (key.KeySize == 256)
            {
                return key;
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
        }

        key.Dispose();
        return null;
    }

    private static string Serialize(NodeKeyRecord record) => JsonSerializer.Serialize(record, Json);

    private static NodeKeyRecord? Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<NodeKeyRecord>(json, Json);
        }
        catch (JsonException)
        {
            return null; // Written by something else: no key this node can trust.
        }
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
