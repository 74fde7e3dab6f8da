using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Redis.Rotation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// Keeps a Redis master cut off from most Sentinels from taking writes that a failover on the other side would
/// throw away (a logout, a durable event): once a majority of the mesh's Sentinels has not named this node's own
/// server as the master for <c>redis.sentinel_down_after</c> (the soonest the other side can begin a failover), it sets
/// <c>min-replicas-to-write 1</c>, so the server refuses writes (<c>NOREPLICAS</c>) unless a replica still follows it.
/// The setting goes back to 0 as soon as most Sentinels name it again, and on every server that is not the master, so
/// a replica the Sentinels promote takes writes at once.
/// </summary>
internal sealed partial class MinorityGuard(
    RedisOptions options,
    RedisTopology topology,
    INodeCredentials credentials,
    ILogger<MinorityGuard> logger,
    TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private DateTimeOffset? _unconfirmedSince;
    private bool _guarded;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, ct);
                await CheckAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidOperationException)
            {
                // The own server is down or restarting: nothing to guard until it answers.
            }
        }
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        var own = $"127.0.0.1:{options.Port}";
        var (server, _) = await RespConnection.OpenAsync(own, Passwords(), ct);
        if (server is null)
        {
            return;
        }

        await using (server)
        {
            var isMaster = await server.SendAsync(ct, "ROLE") is object?[] { Length: > 0 } role && role[0] as string == "master";
            var confirmed = !isMaster || await MostSentinelsNameOwnAsync(ct);
            _unconfirmedSince = confirmed ? null : _unconfirmedSince ?? time.GetUtcNow();
            var guard = _unconfirmedSince is { } since && time.GetUtcNow() - since >= options.DownAfter;
            // Read back each time: a restarted server, or a Sentinel's CONFIG REWRITE, may have changed it.
            var wanted = guard ? "1" : "0";
            if (await server.SendAsync(ct, "CONFIG", "GET", "min-replicas-to-write") is not object?[] { Length: 2 } setting || setting[1] as string != wanted)
            {
                await server.SendAsync(ct, "CONFIG", "SET", "min-replicas-to-write", wanted);
            }

            if (guard != _guarded)
            {
                if (guard)
                {
                    LogGuarded(options.DownAfter.TotalSeconds);
                }
                else
                {
                    LogReleased(isMaster ? "most Sentinels name it the master again" : "it is a replica now");
                }

                _guarded = guard;
            }
        }
    }

    // Counted against every Sentinel this node knows of, or more if an answering one knows more.
    private async Task<bool> MostSentinelsNameOwnAsync(CancellationToken ct)
    {
        var known = topology.KnownSentinels();
        if (known.Count == 0)
        {
            return true;
        }

        var answers = await Task.WhenAll(known.Select(s => AskAsync(s, ct)));
        var total = answers.Where(a => a.Others is not null).Select(a => a.Others!.Value + 1).Append(known.Count).Max();
        var naming = answers.Count(a => a.Master is { } master && topology.IsOwn(master));
        return !SentinelQuorum.CouldBeOverruled(total, naming);
    }

    private async Task<(string? Master, int? Others)> AskAsync(string sentinel, CancellationToken ct)
    {
        try
        {
            var (connection, _) = await RespConnection.OpenAsync(sentinel, Passwords(), ct);
            if (connection is null)
            {
                return (null, null);
            }

            await using (connection)
            {
                var master = await connection.SendAsync(ct, "SENTINEL", "get-master-addr-by-name", RedisOptions.ServiceName) is object?[] { Length: 2 } address
                    ? $"{address[0]}:{address[1]}"
                    : null;
                var others = await connection.SendAsync(ct, "SENTINEL", "sentinels", RedisOptions.ServiceName) is object?[] peers ? peers.Length : (int?)null;
                return (master, others);
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return (null, null);
        }
    }

    private List<string> Passwords() =>
        new[] { credentials.Get(CredentialKeys.RedisPassword), PendingRotation.OtherValue(credentials, CredentialKeys.RedisPassword) }.OfType<string>().ToList();

    [LoggerMessage(Level = LogLevel.Error, Message = "Most Redis Sentinels have not named this node's Redis the master for {Seconds} s: it takes writes only while a replica follows it (min-replicas-to-write 1), so a failover elsewhere cannot discard them")]
    private partial void LogGuarded(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node's Redis takes writes again: {Reason}")]
    private partial void LogReleased(string reason);
}
