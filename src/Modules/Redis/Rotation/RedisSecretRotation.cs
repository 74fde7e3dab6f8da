using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Redis.Server;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Redis.Rotation;

/// <summary>
/// The mesh's Redis password on every server and Sentinel. Existing authenticated connections survive a password
/// change (Redis checks it only at AUTH), so each server gets the new one while every node stays connected:
/// replicas first (masterauth and requirepass at once, their link to the master stays up), the master last, then
/// the Sentinels (auth-pass, sentinel-pass, their own password). The node's clients read the password from the
/// credentials file when they reconnect (<see cref="CredentialsPassword"/>). A revoked node's own server and Sentinel
/// (<see cref="RedisMember"/>) never get the new password: its replica's link is cut and cannot authenticate again,
/// and its Sentinel is removed from the others' view (SENTINEL RESET) and from those the nodes count.
/// </summary>
internal sealed partial class RedisSecretRotation(
    RedisConnection connection,
    RedisOptions options,
    INodeCredentials credentials,
    ILogger<RedisSecretRotation> logger) : IMeshSecretHolder
{
    private const string Key = CredentialKeys.RedisPassword;

    public string Name => "redis";

    public int Order => 10;

    public IReadOnlyList<string> SecretKeys { get; } = [Key];

    public async Task<RevocationRisk?> RiskOfRevokingAsync(RevokedNode node, CancellationToken ct)
    {
        if (options.Url is not null || await MemberAsync(node.Name) is not { } member)
        {
            return null;
        }

        if (member.Server is { } server && connection.MasterForAdmin() == server)
        {
            return new RevocationRisk($"{node.Name} runs the mesh's Redis master ({server}): revoking it would cut every node off Redis; let the Sentinels fail Redis over first (stop {node.Name}), then revoke it", Forcible: false);
        }

        if (member.Sentinel is { } sentinel)
        {
            var all = await SentinelsAsync();
            var left = all.Count(s => s != sentinel);
            if (all.Contains(sentinel) && left < SentinelQuorum.Quorum)
            {
                return new RevocationRisk($"{node.Name} runs one of the mesh's {all.Count} Redis Sentinels: without it {left} remain, fewer than the {SentinelQuorum.Quorum} that must agree on a Redis failover, so the mesh's Redis could no longer fail over; give another node a Sentinel first (redis.sentinel: true)", Forcible: true);
            }
        }

        return null;
    }

    public async Task<IReadOnlyList<string>> RotateMeshAsync(MeshSecretChange change, RevokedNode revoked, CancellationToken ct)
    {
        if (!change.Changes(Key))
        {
            return [];
        }

        if (options.Url is not null)
        {
            throw new MeshRotationException("redis.url names a Redis this node does not run for the mesh: change its password there and in redis.url on every node");
        }

        var (old, next) = (change.Old[Key]!, change.Next[Key]!);
        var master = connection.MasterForAdmin() ?? throw new MeshRotationException("this node is not connected to the mesh's Redis master; try again when `aurora-node status` shows Redis healthy");
        var warnings = new List<string>();
        var member = await MemberAsync(revoked.Name);
        // The master may take the new password already (an earlier run of this rotation was interrupted).
        var replicas = (await ReplicasAsync(master, [old, next], ct)).Where(r => r != member?.Server).ToList();
        var done = new List<string>();
        foreach (var replica in replicas)
        {
            if (await TrySetServerAsync(replica, old, next, warnings, ct))
            {
                done.Add(replica);
            }
        }

        if (!await TrySetServerAsync(master, old, next, warnings, ct))
        {
            foreach (var replica in done)
            {
                await TrySetServerAsync(replica, next, old, [], ct);
            }

            // Its answer may have been lost after it took the new password: the rotation stays pending and is run again.
            throw new MeshRotationException($"could not change the password of the Redis master at {master}: {string.Join("; ", warnings)}", outcomeUnknown: true);
        }

        var sentinels = (await SentinelsAsync()).Where(s => s != member?.Sentinel).ToList();
        foreach (var sentinel in sentinels)
        {
            await TrySetSentinelAsync(sentinel, old, next, warnings, ct);
        }

        LogRotated(replicas.Count + 1, sentinels.Count, warnings.Count);
        return warnings;
    }

    public async Task ApplyLocallyAsync(MeshSecretChange change, CancellationToken ct)
    {
        if (!change.Changes(Key) || options.Url is not null)
        {
            return;
        }

        var warnings = new List<string>();
        if (options.Managed)
        {
            await TrySetServerAsync($"127.0.0.1:{options.Port}", change.Old[Key]!, change.Next[Key]!, warnings, ct);
        }

        if (options.Sentinel)
        {
            await TrySetSentinelAsync($"127.0.0.1:{options.SentinelPort}", change.Old[Key]!, change.Next[Key]!, warnings, ct);
        }

        foreach (var warning in warnings)
        {
            LogLocalFailed(warning);
        }
    }

    public async Task<IReadOnlyList<string>> DisconnectAsync(RevokedNode node, CancellationToken ct)
    {
        var password = credentials.Get(Key);
        if (password is null || options.Url is not null || connection.MasterForAdmin() is not { } master)
        {
            return [];
        }

        var killed = 0;
        var member = await MemberAsync(node.Name);
        var sentinels = (await SentinelsAsync()).Where(s => s != member?.Sentinel).ToList();
        var sentinelId = member?.Sentinel is { } own ? await SentinelIdAsync(sentinels, own, password, ct) : null;
        var replicas = await ReplicasAsync(master, [password], ct);
        // Its replica's link authenticated before the rotation: cut, it cannot authenticate again.
        var cutReplica = member?.Server is { } server && replicas.Contains(server);
        var targets = replicas.Where(r => r != member?.Server).Prepend(master).Concat(sentinels).Distinct();
        foreach (var target in targets)
        {
            killed += await OnServerAsync(target, [password], async resp =>
            {
                if (await resp.SendAsync(ct, "CLIENT", "LIST") is not string list)
                {
                    return 0;
                }

                var ids = ClientList.IdsOf(list, node.Name, node.Address)
                    .Concat(sentinelId is null ? [] : ClientList.IdsOfSentinel(list, sentinelId))
                    .Concat(cutReplica && node.Address is null && target == master ? ClientList.ReplicaIds(list) : [])
                    .Distinct();
                var closed = 0;
                foreach (var id in ids)
                {
                    closed += await resp.SendAsync(ct, "CLIENT", "KILL", "ID", id) is "OK" or 1L ? 1 : 0;
                }

                return closed;
            }, problem => LogDisconnectFailed(target, problem), ct);
        }

        var done = new List<string> { $"redis: closed {killed} connection(s) of {node.Name}" };
        if (cutReplica)
        {
            done.Add($"redis: {node.Name}'s replica {member!.Server} cut off from the master");
        }

        if (member?.Sentinel is { } removed)
        {
            done.Add(await RemoveSentinelAsync(removed, sentinels, password, ct));
        }

        await TryRedisAsync(db => db.HashDeleteAsync(RedisMember.HashKey, node.Name));
        return done;
    }

    // Once it can reach none of them: out of the mesh's set (the dispute check counts it) and of every Sentinel's view.
    private async Task<string> RemoveSentinelAsync(string removed, IReadOnlyList<string> sentinels, string password, CancellationToken ct)
    {
        await TryRedisAsync(async db =>
        {
            await db.SetAddAsync(RedisMember.RemovedSentinelsKey, removed);
            await db.SetRemoveAsync(RedisConnection.SentinelsKey, removed);
        });
        await connection.ForgetSentinelAsync(removed);
        var reset = 0;
        foreach (var sentinel in sentinels)
        {
            // It forgets its replicas and Sentinels and learns again those that still reach the master (within seconds).
            reset += await OnServerAsync(
                sentinel, [password], async resp => await resp.SendAsync(ct, "SENTINEL", "RESET", RedisOptions.ServiceName) is 1L ? 1 : 0,
                problem => LogDisconnectFailed(sentinel, problem), ct);
        }

        LogSentinelRemoved(removed, reset);
        return $"redis: Sentinel {removed} removed ({reset} of {sentinels.Count} Sentinel(s) reset their view)";
    }

    // The removed Sentinel's id, as the others know it: it names its connections after it.
    private static async Task<string?> SentinelIdAsync(IReadOnlyList<string> sentinels, string removed, string password, CancellationToken ct)
    {
        foreach (var sentinel in sentinels)
        {
            // One that cannot be asked: another may know it.
            var id = await OnServerAsync(sentinel, [password], async resp => SentinelPeers.IdOf(await resp.SendAsync(ct, "SENTINEL", "SENTINELS", RedisOptions.ServiceName), removed), null, ct);
            if (id is not null)
            {
                return id;
            }
        }

        return null;
    }

    private async Task<RedisMember?> MemberAsync(string node)
    {
        RedisMember? member = null;
        await TryRedisAsync(async db => member = RedisMember.Parse(await db.HashGetAsync(RedisMember.HashKey, node)));
        return member;
    }

    // Those this node knows and those registered since its last refresh (a Sentinel that joined seconds ago).
    private async Task<IReadOnlyList<string>> SentinelsAsync()
    {
        IEnumerable<string> registered = [];
        await TryRedisAsync(async db => registered = (await db.SetMembersAsync(RedisConnection.SentinelsKey)).Select(v => (string)v!).ToList());
        return connection.AddressForOtherNodes.Sentinels.Concat(registered).Distinct().ToList();
    }

    private async Task TryRedisAsync(Func<IDatabase, Task> action)
    {
        try
        {
            await action(connection.Connection.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogRedisFailed(ex.Message);
        }
    }

    private async Task<IReadOnlyList<string>> ReplicasAsync(string master, IReadOnlyList<string> passwords, CancellationToken ct) =>
        await OnServerAsync<IReadOnlyList<string>>(
            master, [.. passwords, credentials.Get(Key) ?? passwords[0]],
            async resp => await resp.SendAsync(ct, "INFO", "replication") is string info ? ReplicationInfo.Replicas(info) : [], null, ct) ?? [];

    /// <summary>
    /// Runs <paramref name="use"/> on a connection to <paramref name="endpoint"/> opened with the first of
    /// <paramref name="passwords"/> it takes; default when it takes none or cannot be reached (<paramref name="failed"/> hears why).
    /// </summary>
    private static async Task<T?> OnServerAsync<T>(string endpoint, IReadOnlyList<string> passwords, Func<RespConnection, Task<T>> use, Action<string>? failed, CancellationToken ct)
    {
        try
        {
            var (resp, _) = await RespConnection.OpenAsync(endpoint, passwords, ct);
            if (resp is null)
            {
                return default;
            }

            await using (resp)
            {
                return await use(resp);
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            failed?.Invoke(ex.Message);
            return default;
        }
    }

    // Idempotent: a server that accepts the new password already has it.
    private static async Task<bool> TrySetServerAsync(string endpoint, string old, string next, List<string> warnings, CancellationToken ct)
    {
        try
        {
            var (resp, index) = await RespConnection.OpenAsync(endpoint, [next, old], ct);
            if (resp is null)
            {
                warnings.Add($"the Redis server at {endpoint} accepts neither the old nor the new password");
                return false;
            }

            await using (resp)
            {
                if (index == 1)
                {
                    await resp.OkAsync(ct, "CONFIG", "SET", "masterauth", next, "requirepass", next);
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            warnings.Add($"the Redis server at {endpoint} could not be changed ({ex.Message}); its node applies the new password when it fetches it");
            return false;
        }
    }

    private static async Task TrySetSentinelAsync(string endpoint, string old, string next, List<string> warnings, CancellationToken ct)
    {
        try
        {
            var (resp, index) = await RespConnection.OpenAsync(endpoint, [old, next], ct);
            if (resp is null)
            {
                warnings.Add($"the Sentinel at {endpoint} accepts neither the old nor the new password");
                return;
            }

            await using (resp)
            {
                if (index == 1)
                {
                    return; // Its own password is set last: it has the rest already.
                }

                // How it reaches the master and replicas, and the other Sentinels; then its own password (it rewrites its file).
                await resp.OkAsync(ct, "SENTINEL", "SET", RedisOptions.ServiceName, "auth-pass", next);
                await resp.OkAsync(ct, "SENTINEL", "CONFIG", "SET", "sentinel-pass", next);
                await resp.OkAsync(ct, "ACL", "SETUSER", "default", "resetpass", ">" + next);
                await resp.OkAsync(ct, "SENTINEL", "FLUSHCONFIG");
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            warnings.Add($"the Sentinel at {endpoint} could not be changed ({ex.Message}); its node applies the new password when it fetches it");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the Redis password on {Servers} server(s) and {Sentinels} Sentinel(s) ({Warnings} could not be reached)")]
    private partial void LogRotated(int servers, int sentinels, int warnings);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not apply the rotated Redis password here: {Reason}")]
    private partial void LogLocalFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the revoked node's Sentinel {Sentinel} from the mesh ({Reset} Sentinel(s) reset their view)")]
    private partial void LogSentinelRemoved(string sentinel, int reset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read or update the mesh's Redis members: {Reason}")]
    private partial void LogRedisFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not close the revoked node's connections on {Target}: {Reason}")]
    private partial void LogDisconnectFailed(string target, string reason);
}
