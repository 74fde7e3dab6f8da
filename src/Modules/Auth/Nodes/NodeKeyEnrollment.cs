using AuroraNode.Modules.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using IRedis = AuroraNode.Modules.Redis.IRedis;

namespace AuroraNode.Modules.Auth.Nodes;

/// <summary>
/// Makes sure the mesh knows this node's public key: a node that joined was enrolled by the lead it joined through;
/// the lead (and a node that uses the mesh's Redis without joining) enrolls itself once Redis answers. A different
/// key under this node's name is reported, never overwritten.
/// </summary>
internal sealed partial class NodeKeyEnrollment(IRedis redis, NodeSigningKey key, TimeProvider time, ILogger<NodeKeyEnrollment> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var db = redis.Connection.GetDatabase();
                if (await NodeKeys.EnrollIfAbsentAsync(db, key.Node, key.PublicKey, time.GetUtcNow()))
                {
                    LogEnrolled(logger, key.Node);
                }
                else if (await NodeKeys.GetAsync(db, key.Node) is { } record && (record.PublicKey != key.PublicKey || record.RevokedAt is not null))
                {
                    LogOtherKey(logger, key.Node, record.RevokedAt is null ? "another key" : $"a key revoked at {record.RevokedAt:u}");
                }

                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                await Task.Delay(delay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 10_000));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enrolled this node's key with the mesh as {Node}")]
    private static partial void LogEnrolled(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Error, Message = "The mesh has {What} for node {Node}: other nodes will refuse this node's signed calls until it joins again with a new token")]
    private static partial void LogOtherKey(ILogger logger, string node, string what);
}
