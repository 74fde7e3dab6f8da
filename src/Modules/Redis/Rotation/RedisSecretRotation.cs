using AuroraNode.Modules.Credentials;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Redis.Rotation;

/// <summary>
/// The mesh's Redis password on every server and Sentinel. Existing authenticated connections survive a password
/// change (Redis checks it only at AUTH), so each server gets the new one while every node stays connected:
/// replicas first (masterauth and requirepass at once, their link to the master stays up), the master last, then
/// the Sentinels (auth-pass, sentinel-pass, their own password). The node's clients read the password from the
/// credentials file when they reconnect (<see cref="CredentialsPassword"/>).
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

    public async Task<IReadOnlyList<string>> RotateMeshAsync(MeshSecretChange change, CancellationToken ct)
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
        var replicas = await ReplicasAsync(master, old, ct);
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

            throw new MeshRotationException($"could not change the password of the Redis master at {master}: {string.Join("; ", warnings)}");
        }

        foreach (var sentinel in connection.AddressForOtherNodes.Sentinels)
        {
            await TrySetSentinelAsync(sentinel, old, next, warnings, ct);
        }

        LogRotated(replicas.Count + 1, connection.AddressForOtherNodes.Sentinels.Count, warnings.Count);
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
        var targets = (await ReplicasAsync(master, password, ct)).Prepend(master).Concat(connection.AddressForOtherNodes.Sentinels).Distinct();
        foreach (var target in targets)
        {
            try
            {
                var (resp, _) = await RespConnection.OpenAsync(target, [password], ct);
                if (resp is null)
                {
                    continue;
                }

                await using (resp)
                {
                    if (await resp.SendAsync(ct, "CLIENT", "LIST") is string list)
                    {
                        foreach (var id in ClientList.IdsOf(list, node.Name, node.Address))
                        {
                            killed += await resp.SendAsync(ct, "CLIENT", "KILL", "ID", id) is "OK" or 1L ? 1 : 0;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                LogDisconnectFailed(target, ex.Message);
            }
        }

        return [$"redis: closed {killed} connection(s) of {node.Name}"];
    }

    private async Task<IReadOnlyList<string>> ReplicasAsync(string master, string password, CancellationToken ct)
    {
        try
        {
            var (resp, _) = await RespConnection.OpenAsync(master, [password, credentials.Get(Key) ?? password], ct);
            if (resp is null)
            {
                return [];
            }

            await using (resp)
            {
                return await resp.SendAsync(ct, "INFO", "replication") is string info ? ReplicationInfo.Replicas(info) : [];
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return [];
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not close the revoked node's connections on {Target}: {Reason}")]
    private partial void LogDisconnectFailed(string target, string reason);
}
