using System.Net;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Events;
using AuroraNode.Modules.Registry.Nodes;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using IRedis = AuroraNode.Modules.Redis.IRedis;

namespace AuroraNode.Modules.Registry.Credentials;

/// <summary>
/// Rotates the mesh's shared passwords from the node that handles a revocation: each <see cref="IMeshSecretHolder"/>
/// changes its servers while every node stays connected (authenticated connections survive a password change), this
/// node stores the values that took (a holder that failed keeps its old ones: no half-rotated secret), cuts the revoked
/// node off, and publishes <see cref="MeshSecrets.RotatedEvent"/> so every other node fetches them from here.
/// </summary>
internal sealed partial class CredentialRotation(
    IEnumerable<IMeshSecretHolder> holders,
    INodeCredentials credentials,
    IRedis redis,
    IEventBus bus,
    NodeStore store,
    NodeContext node,
    ILogger<CredentialRotation> logger,
    TimeProvider time) : IMeshCredentialRotation
{
    private const string LockKey = "aurora:mesh:credentials_rotation";

    public async Task<IReadOnlyList<RevocationRisk>> RisksAsync(string revokedNode, CancellationToken ct)
    {
        if (revokedNode == node.Name)
        {
            // It would cut off its own connections halfway through the rotation.
            return [new RevocationRisk($"{node.Name} handles this revocation itself: revoke it from another node (--api http://OTHER:8700)", Forcible: false)];
        }

        var revoked = new RevokedNode(revokedNode, await UniqueAddressAsync(revokedNode));
        var risks = new List<RevocationRisk>();
        foreach (var holder in holders.OrderBy(h => h.Order))
        {
            try
            {
                if (await holder.RiskOfRevokingAsync(revoked, ct) is { } risk)
                {
                    risks.Add(risk);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Unknown is not safe: refused, unless the user forces it.
                risks.Add(new RevocationRisk($"{holder.Name}: could not check what revoking {revokedNode} would break ({ex.Message}); revoke again when the mesh answers", Forcible: true));
            }
        }

        return risks;
    }

    public async Task<MeshRotationReport> RotateAsync(string revokedNode, CancellationToken ct)
    {
        var db = redis.Connection.GetDatabase();
        var lockToken = Guid.NewGuid().ToString("N");
        try
        {
            if (!await db.StringSetAsync(LockKey, lockToken, TimeSpan.FromMinutes(2), When.NotExists))
            {
                throw new MeshRotationException("another rotation of the mesh's passwords is running; revoke again in a minute to rotate once more");
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new MeshRotationException($"the mesh's Redis does not answer ({ex.Message}); revoke again when it does", ex);
        }

        try
        {
            return await RotateLockedAsync(db, revokedNode, ct);
        }
        finally
        {
            try
            {
                await db.ScriptEvaluateAsync("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", [LockKey], [lockToken]);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // It expires by itself.
            }
        }
    }

    private async Task<MeshRotationReport> RotateLockedAsync(StackExchange.Redis.IDatabase db, string revokedNode, CancellationToken ct)
    {
        var current = MeshSecrets.Read(credentials);
        var meshVersion = MeshSecrets.ParseVersion(await db.StringGetAsync(MeshSecrets.VersionRedisKey));
        if (meshVersion > current.Version)
        {
            throw new MeshRotationException($"{node.Name} holds older mesh passwords (version {current.Version}) than the mesh (version {meshVersion}); revoke on the lead, or restart {node.Name} so it fetches them first");
        }

        var revoked = new RevokedNode(revokedNode, await UniqueAddressAsync(revokedNode));
        var planned = current.Renewed(MeshSecrets.NextVersion(current.Version, time.GetUtcNow()));
        var rotated = new List<IMeshSecretHolder>();
        var warnings = new List<string>();
        foreach (var holder in holders.OrderBy(h => h.Order))
        {
            try
            {
                warnings.AddRange(await holder.RotateMeshAsync(new MeshSecretChange(current, planned), revoked, ct));
                rotated.Add(holder);
            }
            catch (MeshRotationException ex)
            {
                warnings.Add($"{holder.Name}: {ex.Message}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever it was, the other holders' new secrets must still be saved.
                warnings.Add($"{holder.Name}: failed ({ex.GetType().Name}: {ex.Message}); its old secret stays, revoke again to retry");
            }
        }

        if (rotated.Count == 0)
        {
            throw new MeshRotationException($"no password of the mesh could be rotated: {string.Join("; ", warnings)}");
        }

        // A secret changes only where its holder changed it on the servers.
        var next = planned.WithValuesOf(current, MeshSecrets.Keys.Except(rotated.SelectMany(h => h.SecretKeys)));
        credentials.SetAll(next.ToCredentials());
        var change = new MeshSecretChange(current, next);
        var disconnected = new List<string>();
        foreach (var holder in holders.OrderBy(h => h.Order))
        {
            try
            {
                await holder.ApplyLocallyAsync(change, ct);
                disconnected.AddRange(await holder.DisconnectAsync(revoked, ct));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                warnings.Add($"{holder.Name}: could not finish here ({ex.Message})");
            }
        }

        try
        {
            await db.StringSetAsync(MeshSecrets.VersionRedisKey, next.Version);
            await bus.PublishAsync(EventChannels.Global, EventEnvelope.Create(MeshSecrets.RotatedEvent, node.Name, time.GetUtcNow(), new { version = next.Version, url = node.AdvertiseUrl }), ct);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            warnings.Add($"could not tell the other nodes ({ex.Message}); they fetch the new passwords when they next start");
        }

        LogRotated(revokedNode, next.Version, string.Join(", ", rotated.Select(h => h.Name)), warnings.Count);
        foreach (var warning in warnings)
        {
            LogWarning(warning);
        }

        return new MeshRotationReport(next.Version, rotated.Select(h => h.Name).ToList(), disconnected, warnings);
    }

    // Connections from the revoked node's address are cut too, unless another node shares it (one machine, or loopback).
    private async Task<string?> UniqueAddressAsync(string revokedNode)
    {
        var nodes = (await store.ReadAsync()).Nodes.Select(n => n.Node).ToList();
        var address = nodes.FirstOrDefault(n => n.Name == revokedNode)?.VpnIp;
        return address is null || !IPAddress.TryParse(address, out var ip) || IPAddress.IsLoopback(ip) || address == node.AdvertiseAddress
            || nodes.Any(n => n.Name != revokedNode && n.VpnIp == address)
            ? null
            : address;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotated the mesh's passwords after revoking {Node}: version {Version} ({Rotated}; {Warnings} warning(s))")]
    private partial void LogRotated(string node, long version, string rotated, int warnings);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotation of the mesh's passwords: {Warning}")]
    private partial void LogWarning(string warning);
}
