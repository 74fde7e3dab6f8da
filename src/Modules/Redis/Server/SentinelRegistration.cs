using AuroraNode.Modules.Redis.Rotation;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// Puts this node's Sentinel in the mesh's Redis (<see cref="RedisConnection.SentinelsKey"/>) before it first starts.
/// Every primary counts the Sentinels registered there when it asks whether its Redis master is disputed; a Sentinel
/// that could vote before anyone counted it could make a minority look like a majority in a partition. A Sentinel that
/// cannot be registered does not start, and start-up says why. Once registered (a marker in the Sentinel's folder) later
/// starts don't wait for the master: the registration is in Redis, replicated with the rest, and the connection's
/// refresh renews it.
/// </summary>
internal sealed partial class SentinelRegistration(RedisTopology topology, ILogger<SentinelRegistration> logger, TimeProvider time)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public async Task EnsureAsync(string sentinelDir, CancellationToken ct)
    {
        var marker = Path.Combine(sentinelDir, "registered");
        var own = topology.OwnSentinel;
        if (File.Exists(marker) && (await File.ReadAllTextAsync(marker, ct)).Trim() == own)
        {
            return;
        }

        var master = await topology.MasterAsync(ct);
        var until = time.GetUtcNow() + Deadline;
        string problem;
        while (true)
        {
            problem = await TryRegisterAsync(master, own, ct);
            if (problem is "" || time.GetUtcNow() >= until)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, ct);
        }

        if (problem is not "")
        {
            throw new StartupException("redis.sentinel", $"could not register this node's Sentinel {own} in the mesh's Redis at {master} within {Deadline.TotalSeconds:0} s ({problem}); it does not start until the other nodes can count it. Check that the mesh's Redis master is reachable, or set redis.sentinel: false");
        }

        await File.WriteAllTextAsync(marker, own + "\n", ct);
        LogRegistered(own, master);
    }

    // "" when done, else what went wrong (the master still loading, read-only after a failover, unreachable).
    private async Task<string> TryRegisterAsync(string master, string own, CancellationToken ct)
    {
        try
        {
            var (connection, _) = await RespConnection.OpenAsync(master, [topology.Password], ct);
            if (connection is null)
            {
                return "the master refused the mesh's password";
            }

            await using (connection)
            {
                // A revoked node's Sentinel was removed; one that can authenticate is a node that joined again there.
                foreach (var reply in new[] { await connection.SendAsync(ct, "SADD", RedisConnection.SentinelsKey, own), await connection.SendAsync(ct, "SREM", RedisMember.RemovedSentinelsKey, own) })
                {
                    if (reply is RespError error)
                    {
                        return error.Message;
                    }
                }

                return "";
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return ex.Message;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered this node's Sentinel {Sentinel} in the mesh's Redis at {Master} before starting it")]
    private partial void LogRegistered(string sentinel, string master);
}
