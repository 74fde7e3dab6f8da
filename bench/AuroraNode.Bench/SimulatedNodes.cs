using System.Globalization;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>
/// Compute nodes that exist only in Redis, written the way the registry module writes real ones (src/Modules/Registry/Nodes):
/// a JSON record per node in the hash <c>aurora:registry:nodes</c>, last-heard milliseconds in <c>aurora:registry:last_seen</c>,
/// and a <c>node_heartbeat</c> envelope on <c>aurora:events:global</c> per heartbeat.
/// </summary>
internal sealed class SimulatedNodes(IConnectionMultiplexer redis, IReadOnlyList<string> names, IReadOnlyList<string> records)
{
    public const string NodesKey = "aurora:registry:nodes";
    public const string LastSeenKey = "aurora:registry:last_seen";
    public const string GlobalChannel = "aurora:events:global";

    public int Count => names.Count;

    /// <summary>Records copied from a real node's (its detected capabilities included), renamed sim-000… with role compute.</summary>
    public static async Task<SimulatedNodes> RegisterAsync(IConnectionMultiplexer redis, string template, int count, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var json = await db.HashGetAsync(NodesKey, template);
        for (var waited = 0; json.IsNull && waited < 100; waited++)
        {
            await Task.Delay(100, ct); // The lead registers itself in its first heartbeat, just after start.
            json = await db.HashGetAsync(NodesKey, template);
        }

        if (json.IsNull)
        {
            throw new BenchException($"node '{template}' did not register itself in {NodesKey} within 10 s");
        }

        var now = DateTimeOffset.UtcNow;
        var names = Enumerable.Range(0, count).Select(i => $"sim-{i:D3}").ToList();
        var records = names.Select(name =>
        {
            var record = JsonNode.Parse(json.ToString())!.AsObject();
            record["name"] = name;
            record["role"] = "compute";
            record["roles"] = new JsonArray("compute");
            record["vpn_ip"] = $"10.8.{names.IndexOf(name) / 250}.{names.IndexOf(name) % 250 + 2}";
            record["registered_at"] = now.ToString("O", CultureInfo.InvariantCulture);
            return record.ToJsonString();
        }).ToList();
        await db.HashSetAsync(NodesKey, names.Zip(records, (n, r) => new HashEntry(n, r)).ToArray());
        await db.HashSetAsync(LastSeenKey, names.Select(n => new HashEntry(n, now.ToUnixTimeMilliseconds())).ToArray());
        return new SimulatedNodes(redis, names, records);
    }

    /// <summary>The record's size in bytes (they are all alike).</summary>
    public int RecordBytes => System.Text.Encoding.UTF8.GetByteCount(records[0]);

    /// <summary>
    /// One heartbeat of node <paramref name="index"/>. With <paramref name="store"/> as a real node sends it (HSET record,
    /// HSET last_seen, PUBLISH); without, only the PUBLISH, on <paramref name="channel"/>.
    /// </summary>
    public async Task BeatAsync(int index, bool store, string channel = GlobalChannel)
    {
        var db = redis.GetDatabase();
        var now = DateTimeOffset.UtcNow;
        var name = names[index % names.Count];
        if (store)
        {
            await db.HashSetAsync(NodesKey, name, records[index % names.Count]);
            await db.HashSetAsync(LastSeenKey, name, now.ToUnixTimeMilliseconds());
        }

        var envelope = $$$"""{"id":"{{{Guid.NewGuid():N}}}","type":"node_heartbeat","source_node":"{{{name}}}","timestamp":"{{{now.ToString("O", CultureInfo.InvariantCulture)}}}","data":{"node":"{{{name}}}","role":"compute","status":"active"}}""";
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), envelope);
    }

    /// <summary>Heartbeats at <paramref name="perSecond"/>, in ticks of 100 ms, until <paramref name="total"/> were sent or <paramref name="ct"/> ends.</summary>
    public async Task<int> BeatAtAsync(double perSecond, int total, bool store, string channel, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sent = 0;
        try
        {
            while (sent < total && await timer.WaitForNextTickAsync(ct))
            {
                var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * perSecond));
                var batch = new List<Task>();
                for (; sent < due; sent++)
                {
                    batch.Add(BeatAsync(sent, store, channel));
                }

                await Task.WhenAll(batch);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped by the caller.
        }

        return sent;
    }
}
