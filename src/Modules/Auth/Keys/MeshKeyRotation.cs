using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Data;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Auth.Keys;

/// <summary>
/// The mesh key (<c>auth.mesh_key</c>) that seals the signing keys: a rotation seals every stored signing key anew
/// with the new mesh key in one transaction on the primary, before PostgreSQL's passwords change (so this node still
/// connects). Each node then seals with the new key and still opens what the old one sealed until the rows replicate
/// (<see cref="KeyEncryption.Replace"/>). A revoked node's copy of the old mesh key opens nothing written from then on.
/// Rows already sealed with the new key (an interrupted run of the same rotation) are left as they are. Cutting the
/// revoked node off replaces the signing keys, so that a rotation finished later (a pending one) does it too.
/// </summary>
internal sealed partial class MeshKeyRotation(KeyEncryption encryption, KeyStore store, IDatabase database, ILogger<MeshKeyRotation> logger) : IMeshSecretHolder
{
    private const string Key = CredentialKeys.AuthMeshKey;

    public string Name => "auth";

    // Before PostgreSQL (20): it writes to the primary with the passwords of now.
    public int Order => 5;

    public IReadOnlyList<string> SecretKeys { get; } = [Key];

    public Task<RevocationRisk?> RiskOfRevokingAsync(RevokedNode node, CancellationToken ct) => Task.FromResult<RevocationRisk?>(null);

    public async Task<IReadOnlyList<string>> RotateMeshAsync(MeshSecretChange change, RevokedNode revoked, CancellationToken ct)
    {
        if (!change.Changes(Key))
        {
            return [];
        }

        if (MeshKey.Decode(change.Old[Key]) is not { } old || MeshKey.Decode(change.Next[Key]) is not { } next)
        {
            throw new MeshRotationException($"{Key} is not {KeyEncryption.MeshKeyBytes} bytes of base64url on this node; restore it from the lead's credentials file");
        }

        var (opener, sealer) = (new KeyEncryption(old), new KeyEncryption(next));
        int count;
        try
        {
            await using var conn = await database.Writes.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var rows = (await conn.QueryAsync<(string KeyId, byte[] Sealed)>(new CommandDefinition("SELECT kid, private_key FROM auth.signing_keys FOR UPDATE", transaction: tx, cancellationToken: ct))).ToList();
            count = 0;
            foreach (var (keyId, sealedKey) in rows)
            {
                if (Opens(sealer, sealedKey, keyId))
                {
                    continue; // Sealed with the new key already: an earlier, interrupted run of this rotation.
                }

                var resealed = sealer.Seal(opener.Open(sealedKey, keyId), keyId);
                await conn.ExecuteAsync(new CommandDefinition("UPDATE auth.signing_keys SET private_key = @Sealed WHERE kid = @KeyId", new { Sealed = resealed, KeyId = keyId }, tx, cancellationToken: ct));
                count++;
            }

            await tx.CommitAsync(ct);
        }
        catch (KeyDecryptionException ex)
        {
            throw new MeshRotationException($"could not seal the signing keys with a new mesh key ({ex.Message}); the old mesh key stays", ex);
        }
        catch (NpgsqlException ex)
        {
            // Cut off at the commit, it may have taken.
            throw new MeshRotationException($"could not seal the signing keys with a new mesh key ({ex.Message})", ex, outcomeUnknown: true);
        }

        LogResealed(count);
        return [];
    }

    public async Task ApplyLocallyAsync(MeshSecretChange change, CancellationToken ct)
    {
        if (change.Changes(Key) && MeshKey.Decode(change.Next[Key]) is { } next)
        {
            encryption.Replace(next);
            await store.ReloadAsync(ct);
        }
    }

    // The revoked node could unseal the old signing keys with its copy of the old mesh key: a new one signs, the others go.
    public async Task<IReadOnlyList<string>> DisconnectAsync(RevokedNode node, CancellationToken ct)
    {
        var current = await store.RotateAsync(ct, dropRetired: true);
        return [$"auth: signing keys replaced, {current.KeyId} signs"];
    }

    private static bool Opens(KeyEncryption encryption, byte[] sealedKey, string keyId)
    {
        try
        {
            encryption.Open(sealedKey, keyId);
            return true;
        }
        catch (KeyDecryptionException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed {Count} signing key(s) with a new mesh key")]
    private partial void LogResealed(int count);
}
