using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>
/// Cross-node event delivery latency, one event in flight: POST on the lead → the event's line in the event stream of a
/// second node; and the receiving node's part alone (the event written into Redis by this runner). The peer is a bare
/// StackExchange.Redis Pub/Sub round trip (one connection publishes, another receives) against the same Redis.
/// </summary>
internal static class EventLatencyBench
{
    private const int Warmup = 200;
    private const int Rounds = 4;
    private const int PerRound = 500;
    private const double TargetRatio = 1.5;
    private const string Receiver = "b";
    private const string LatencyMetric = "aurora_event_delivery_latency";

    public static async Task<IReadOnlyList<Figure>> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        var channel = $"aurora:events:node:{Receiver}";
        Console.WriteLine($"events-latency: a lead and node '{Receiver}'; events on {channel}, one in flight; {Warmup} warm-up, then {Rounds} alternating rounds of {PerRound} per path");
        await using var mesh = await BenchMesh.StartAsync(binary, [Receiver], ct);
        using var leadApi = mesh.Lead.Client(TimeSpan.FromSeconds(10));
        using var receiverApi = mesh[Receiver].Client(TimeSpan.FromSeconds(10));
        await using var stream = await SseListener.OpenAsync(mesh[Receiver].Url, channel, ct);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(mesh.RedisConfiguration);
        await using var bare = await BarePubSub.ConnectAsync(mesh.RedisConfiguration, "aurora:bench:bare");
        var probe = new EventProbe(leadApi, redis, stream, channel);
        probe.Attach();

        var seq = 0;
        string Next() => (++seq).ToString("D8", CultureInfo.InvariantCulture);
        for (var i = 0; i < Warmup; i++)
        {
            await probe.ViaHttpAsync(Next(), ct);
            await probe.ViaRedisAsync(Next(), ct);
            await bare.RoundTripAsync(EventProbe.Envelope(Next()), ct);
        }

        List<double> viaHttp = [], posted = [], viaRedis = [], peer = [], httpFloor = [];
        List<double> httpP99 = [], redisP99 = [], peerP99 = [], httpP50 = [], peerP50 = [];
        var metric = new NodeMetrics.Histogram(0, 0);
        for (var round = 1; round <= Rounds; round++)
        {
            var metricBefore = await NodeMetrics.ReadAsync(receiverApi, LatencyMetric, channel, ct);
            List<double> h = [], r = [], p = [];
            for (var i = 0; i < PerRound; i++)
            {
                var (delivered, answered) = await probe.ViaHttpAsync(Next(), ct);
                h.Add(delivered);
                posted.Add(answered);
            }

            metric += (await NodeMetrics.ReadAsync(receiverApi, LatencyMetric, channel, ct) - metricBefore);
            for (var i = 0; i < PerRound; i++)
            {
                r.Add(await probe.ViaRedisAsync(Next(), ct));
            }

            for (var i = 0; i < PerRound; i++)
            {
                p.Add(await bare.RoundTripAsync(EventProbe.Envelope(Next()), ct));
            }

            for (var i = 0; i < PerRound; i++)
            {
                var start = Stopwatch.GetTimestamp();
                using var live = await leadApi.GetAsync("/health/live", ct);
                httpFloor.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            viaHttp.AddRange(h);
            viaRedis.AddRange(r);
            peer.AddRange(p);
            httpP50.Add(Percentile.Of(h, 50));
            peerP50.Add(Percentile.Of(p, 50));
            httpP99.Add(Percentile.Of(h, 99));
            redisP99.Add(Percentile.Of(r, 99));
            peerP99.Add(Percentile.Of(p, 99));
            Console.WriteLine($"  round {round}: POST→SSE p50/p99 {Percentile.Of(h, 50):0.00}/{Percentile.Of(h, 99):0.00} ms, " +
                $"PUBLISH→SSE {Percentile.Of(r, 50):0.00}/{Percentile.Of(r, 99):0.00} ms, bare {Percentile.Of(p, 50):0.00}/{Percentile.Of(p, 99):0.00} ms");
        }

        const string Peer = "a bare StackExchange.Redis Pub/Sub round trip in this runner (one connection PUBLISHes a same-sized envelope, a second subscribed one receives it), same Redis, same run";
        var samples = new Dictionary<string, IReadOnlyList<double>>
        {
            ["post_to_sse_ms"] = viaHttp, ["post_answer_ms"] = posted, ["publish_to_sse_ms"] = viaRedis, ["bare_pubsub_ms"] = peer, ["health_live_ms"] = httpFloor,
        };
        List<string> notes =
        [
            $"figures are the median of {Rounds} rounds' percentiles (min–max); each round {PerRound} samples per path, alternating paths round by round",
            $"POST on lead → SSE on '{Receiver}', all samples: {Percentile.Summary(viaHttp)}",
            $"  of which the lead's answer to the POST (HTTP, envelope, PUBLISH, local dispatch): {Percentile.Summary(posted)}",
            $"  for scale, the same client's GET /health/live on the lead (Kestrel and the node's middleware, no module): {Percentile.Summary(httpFloor)}",
            $"PUBLISH by the runner → SSE on '{Receiver}' (the receiving node's part plus one Redis hop), all samples: {Percentile.Summary(viaRedis)}",
            $"bare Redis Pub/Sub round trip, all samples: {Percentile.Summary(peer)}",
            $"'{Receiver}'s own {LatencyMetric} histogram (envelope timestamp on the lead → delivery to subscribers on '{Receiver}'), POST rounds: mean {metric.Mean * 1000:0.00} ms over {metric.Count:0} events",
            $"the seed design's claim: < 10 ms; POST→SSE p99 over all samples is {Percentile.Of(viaHttp, 99):0.00} ms",
        ];
        return
        [
            new Figure("event delivery p50, POST on lead → SSE on b", "ms", Spread.Of(httpP50), Peer, Spread.Of(peerP50), "—", null, notes) { Samples = samples },
            new Figure("event delivery p99, POST on lead → SSE on b", "ms", Spread.Of(httpP99), Peer, Spread.Of(peerP99), $"ratio <= {TargetRatio:0.0}",
                Spread.Of(httpP99).Median / Spread.Of(peerP99).Median <= TargetRatio, ["see the p50 figure's notes"]),
            new Figure("event delivery p99, PUBLISH → SSE on b (receiving node's part)", "ms", Spread.Of(redisP99), Peer, Spread.Of(peerP99), "—", null, ["see the p50 figure's notes"]),
        ];
    }
}
