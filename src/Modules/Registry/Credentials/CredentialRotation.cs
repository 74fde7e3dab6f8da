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
/// node off, and publishes <see cref="MeshSecrets.RotatedEvent"/> so every other node fetches them from here. The
/// planned values are saved as a <see cref="PendingRotation"/> before any server changes; a step cut off midway (this
/// node killed, the primary's answer lost) leaves them pending, and this node finishes the rotation later
/// (<see cref="ResumePendingAsync"/>) by running every pending step again, which is harmless where it took.
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

    // Node → the version whose rotation finished after revoking it (no secret).
    private const string RotatedForKey = "aurora:mesh:credentials_rotated_for";

    private const string TakeOverLockScript = """
        local held = redis.call('GET', KEYS[1])
        if held == false or held == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
        return 0
        """;

    private static readonly TimeSpan LockTtl = TimeSpan.FromMinutes(2);

    // This node's rotation and the finishing of a pending one never overlap.
    private readonly SemaphoreSlim _gate = new(1, 1);

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
        await _gate.WaitAsync(ct);
        try
        {
            if (PendingRotation.Read(credentials) is { } pending)
            {
                // This node's own unfinished rotation comes first: a second plan would strand the first one's passwords.
                return pending.RevokedNode == revokedNode
                    ? await ResumeLockedAsync(pending, ct)
                    : throw new MeshRotationException($"{node.Name} has not finished the rotation after revoking {pending.RevokedNode} yet (it retries every 10 s); revoke {revokedNode} again once it has");
            }

            var db = redis.Connection.GetDatabase();
            var lockToken = Guid.NewGuid().ToString("N");
            try
            {
                if (!await db.StringSetAsync(LockKey, lockToken, LockTtl, When.NotExists))
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
                return await PlanAndRotateAsync(db, revokedNode, lockToken, ct);
            }
            finally
            {
                await ReleaseLockAsync(db, lockToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Finishes this node's pending rotation (<see cref="PendingRotation"/>), if it has one: at start and every 10 s
    /// (<see cref="CredentialSync"/>). Quiet when there is none; a failure is logged and retried at the next call.
    /// </summary>
    public async Task ResumePendingAsync(CancellationToken ct)
    {
        if (PendingRotation.Read(credentials) is null)
        {
            return;
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (PendingRotation.Read(credentials) is { } pending)
            {
                var report = await ResumeLockedAsync(pending, ct);
                LogResumed(pending.RevokedNode, report.Version);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever it was, the planned values stay saved and the next check tries again.
            LogResumeFailed(ex.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<MeshRotationReport> ResumeLockedAsync(PendingRotation pending, CancellationToken ct)
    {
        var db = redis.Connection.GetDatabase();
        try
        {
            // Its own lock (left by a crash) is taken over at once; another node's is waited for.
            if ((long)await db.ScriptEvaluateAsync(TakeOverLockScript, [LockKey], [pending.LockToken, (long)LockTtl.TotalMilliseconds]) != 1)
            {
                throw new MeshRotationException("another rotation of the mesh's passwords is running; the pending one is finished after it");
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new MeshRotationException($"the mesh's Redis does not answer yet ({ex.Message}); the pending rotation is finished once it does", ex);
        }

        try
        {
            LogResuming(pending.RevokedNode, string.Join(", ", pending.Planned.Values.Keys));
            return await RotateLockedAsync(db, MeshSecrets.Read(credentials), pending, resumed: true, ct);
        }
        finally
        {
            await ReleaseLockAsync(db, pending.LockToken);
        }
    }

    private async Task<MeshRotationReport> PlanAndRotateAsync(StackExchange.Redis.IDatabase db, string revokedNode, string lockToken, CancellationToken ct)
    {
        var current = MeshSecrets.Read(credentials);
        var (meshVersion, owner, rotatedFor) = await ReadMeshStateAsync(db, revokedNode);
        if (owner is not null && owner != node.Name)
        {
            throw new MeshRotationException($"{owner} has not finished its rotation of the mesh's passwords (it retries every 10 s; start it if it is down); revoke again once it has");
        }

        if (rotatedFor is { } done && done <= meshVersion)
        {
            return new MeshRotationReport(done, [], [], [], AlreadyRotated: true);
        }

        if (meshVersion > current.Version)
        {
            throw new MeshRotationException($"{node.Name} holds older mesh passwords (version {current.Version}) than the mesh (version {meshVersion}); revoke on the lead, or restart {node.Name} so it fetches them first");
        }

        // Durable before any server changes: a crash or a cut-off answer from here on cannot lose the only copy.
        var pending = new PendingRotation(current.Renewed(MeshSecrets.NextVersion(current.Version, time.GetUtcNow())), revokedNode, lockToken);
        credentials.SetAll(pending.ToCredentials(running: true), PendingRotation.CredentialEntries);
        try
        {
            await db.HashSetAsync(PendingRotation.MarkerRedisKey, [new HashEntry("owner", node.Name), new HashEntry("revoked_node", revokedNode)]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            credentials.SetAll(new Dictionary<string, string>(), PendingRotation.CredentialEntries);
            throw new MeshRotationException($"the mesh's Redis does not answer ({ex.Message}); revoke again when it does", ex);
        }

        return await RotateLockedAsync(db, current, pending, resumed: false, ct);
    }

    private static async Task<(long Version, string? Owner, long? RotatedFor)> ReadMeshStateAsync(StackExchange.Redis.IDatabase db, string revokedNode)
    {
        try
        {
            var version = MeshSecrets.ParseVersion(await db.StringGetAsync(MeshSecrets.VersionRedisKey));
            var owner = (string?)await db.HashGetAsync(PendingRotation.MarkerRedisKey, "owner");
            var rotatedFor = await db.HashGetAsync(RotatedForKey, revokedNode);
            return (version, owner, rotatedFor.IsNull ? null : MeshSecrets.ParseVersion(rotatedFor));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new MeshRotationException($"the mesh's Redis does not answer ({ex.Message}); revoke again when it does", ex);
        }
    }

    private async Task<MeshRotationReport> RotateLockedAsync(StackExchange.Redis.IDatabase db, MeshSecrets current, PendingRotation pending, bool resumed, CancellationToken ct)
    {
        var revokedNode = pending.RevokedNode;
        var revoked = new RevokedNode(revokedNode, await UniqueAddressAsync(revokedNode));
        var target = current.WithValuesOf(pending.Planned, pending.Planned.Values.Keys) with { Version = MeshSecrets.NextVersion(current.Version, time.GetUtcNow()) };
        var planned = new MeshSecretChange(current, target);
        var rotated = new List<IMeshSecretHolder>();
        var stillPending = new List<string>();
        var failed = false;
        var warnings = new List<string>();
        foreach (var holder in holders.OrderBy(h => h.Order).Where(h => h.SecretKeys.Any(planned.Changes)))
        {
            try
            {
                warnings.AddRange(await holder.RotateMeshAsync(planned, revoked, ct));
                rotated.Add(holder);
            }
            catch (MeshRotationException ex) when (!ex.OutcomeUnknown && !resumed)
            {
                // Surely unchanged: its old secret stays, as if it had not been planned.
                failed = true;
                warnings.Add($"{holder.Name}: {ex.Message}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The server may take the planned value (or did, after an earlier interruption): it stays pending.
                failed = true;
                stillPending.AddRange(holder.SecretKeys.Where(planned.Changes));
                warnings.Add($"{holder.Name}: {ex.Message}; its new secret is kept pending and {node.Name} finishes the rotation by itself (every 10 s, and at its next start)");
            }

            RotationFault.CrashIfAskedAfter(holder.Name);
        }

        var left = stillPending.Count == 0 ? null : pending with { Planned = new MeshSecrets(pending.Planned.Version, pending.Planned.Values.Where(v => stillPending.Contains(v.Key)).ToDictionary()) };
        if (rotated.Count == 0)
        {
            credentials.SetAll(left?.ToCredentials(running: false) ?? [], PendingRotation.CredentialEntries);
            if (left is null)
            {
                await ClearMarkerAsync(db);
            }

            throw new MeshRotationException($"no password of the mesh could be rotated: {string.Join("; ", warnings)}", outcomeUnknown: left is not null);
        }

        // A secret changes only where its holder changed it on the servers; in the same write, what is still pending.
        var next = current.WithValuesOf(target, rotated.SelectMany(h => h.SecretKeys)) with { Version = target.Version };
        var entries = next.ToCredentials();
        foreach (var (key, value) in left?.ToCredentials(running: false) ?? [])
        {
            entries[key] = value;
        }

        credentials.SetAll(entries, PendingRotation.CredentialEntries);
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
            if (left is null)
            {
                await db.KeyDeleteAsync(PendingRotation.MarkerRedisKey);
                if (!failed)
                {
                    // A second revocation of the node answers that it was done; after a partial one it rotates again.
                    await db.HashSetAsync(RotatedForKey, revokedNode, next.Version);
                }
            }
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

    private async Task ClearMarkerAsync(StackExchange.Redis.IDatabase db)
    {
        try
        {
            await db.KeyDeleteAsync(PendingRotation.MarkerRedisKey);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogWarning($"could not clear {PendingRotation.MarkerRedisKey} ({ex.Message}); the next rotation on {node.Name} clears it");
        }
    }

    private static async Task ReleaseLockAsync(StackExchange.Redis.IDatabase db, string lockToken)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finishing the pending rotation of the mesh's passwords after revoking {Node} ({Keys})")]
    private partial void LogResuming(string node, string keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finished the pending rotation of the mesh's passwords after revoking {Node}: version {Version}")]
    private partial void LogResumed(string node, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pending rotation of the mesh's passwords is not finished yet: {Reason}")]
    private partial void LogResumeFailed(string reason);
}
