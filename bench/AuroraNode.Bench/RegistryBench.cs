using System.Diagnostics;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>
/// A lead with 500 simulated compute nodes in its Redis: latency of the lead's GET /nodes and GET /stats (one request
/// at a time, heartbeats arriving at the realistic 500 per minute), against a bare HGETALL of the same two hashes; and
/// the lead's CPU per 1000 heartbeats at an accelerated 500/s, against a bare subscriber process doing the lead's part.
/// </summary>
internal static class RegistryBench
{
    private const int SimulatedCount = 500;
    private const int Warmup = 100;
    private const int Rounds = 4;
    private const int PerRound = 250;
    private const double FastBeatsPerSecond = 500; // every simulated node once a second
    private const int FastBeats = 5_000;
    private const int WarmupBeats = 1_000;
    private const string PeerChannel = "aurora:bench:heartbeats";
    private const string PeerLastSeenKey = "aurora:bench:last_seen";
    private static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3); // tiered JIT finishes in the background after a warm-up

    public static async Task<IReadOnlyList<Figure>> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        Console.WriteLine($"registry: a lead with {SimulatedCount} simulated nodes; GET /nodes, GET /stats and HGETALL × 2 one at a time, " +
            $"{Rounds} alternating rounds of {PerRound}; then {FastBeats:#,0} heartbeats at {FastBeatsPerSecond:0}/s");
        await using var mesh = await BenchMesh.StartAsync(binary, [], ct);
        using var leadApi = mesh.Lead.Client(TimeSpan.FromSeconds(10));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(mesh.RedisConfiguration);
        var sims = await SimulatedNodes.RegisterAsync(redis, mesh.Lead.Name, SimulatedCount, ct);
        var nodesBytes = (await leadApi.GetByteArrayAsync("/nodes", ct)).Length;
        var statsBody = await leadApi.GetStringAsync("/stats", ct);
        if (!statsBody.Contains($"\"total_nodes\":{SimulatedCount + 1}", StringComparison.Ordinal))
        {
            throw new BenchException($"GET /stats does not count {SimulatedCount + 1} nodes: {statsBody}");
        }

        // Reads, with the simulated nodes beating as they would with the default heartbeat_interval (60 s).
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var realistic = sims.BeatAtAsync(SimulatedCount / DefaultHeartbeat.TotalSeconds, int.MaxValue, store: true, SimulatedNodes.GlobalChannel, beating.Token);
        var db = redis.GetDatabase();
        var samplers = new (string Name, Func<Task> Once)[]
        {
            ("GET /nodes", () => GetAsync(leadApi, "/nodes", ct)),
            ("GET /stats", () => GetAsync(leadApi, "/stats", ct)),
            ("HGETALL × 2", async () =>
            {
                var nodes = await db.HashGetAllAsync(SimulatedNodes.NodesKey);
                var seen = await db.HashGetAllAsync(SimulatedNodes.LastSeenKey);
                if (nodes.Length <= SimulatedCount || seen.Length <= SimulatedCount)
                {
                    throw new BenchException($"HGETALL found {nodes.Length} records and {seen.Length} last_seen entries");
                }
            }),
        };
        var samples = samplers.ToDictionary(s => s.Name, _ => new List<double>());
        var p50 = samplers.ToDictionary(s => s.Name, _ => new List<double>());
        var p99 = samplers.ToDictionary(s => s.Name, _ => new List<double>());
        foreach (var (_, once) in samplers)
        {
            for (var i = 0; i < Warmup; i++)
            {
                await once();
            }
        }

        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var (name, once) in samplers)
            {
                var ms = new List<double>();
                for (var i = 0; i < PerRound; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await once();
                    ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }

                samples[name].AddRange(ms);
                p50[name].Add(Percentile.Of(ms, 50));
                p99[name].Add(Percentile.Of(ms, 99));
            }

            Console.WriteLine($"  round {round}: " + string.Join("; ", samplers.Select(s => $"{s.Name} p50/p99 {p50[s.Name][^1]:0.00}/{p99[s.Name][^1]:0.00} ms")));
        }

        await beating.CancelAsync();
        var realisticBeats = await realistic;

        // CPU per heartbeat: the lead (its process only), net of what it uses idle, then the bare subscriber likewise.
        var lead = mesh.Lead.Pid;
        var redisPid = mesh.RedisServerPid;
        await sims.BeatAtAsync(FastBeatsPerSecond, WarmupBeats, store: true, SimulatedNodes.GlobalChannel, ct);
        var leadIdle = await IdleRateAsync(lead, ct);
        var leadCpu = new CpuTimes([lead, redisPid]);
        var leadClock = Stopwatch.StartNew();
        await sims.BeatAtAsync(FastBeatsPerSecond, FastBeats, store: true, SimulatedNodes.GlobalChannel, ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct); // the last ones handled
        var leadMs = leadCpu.Each();
        var leadSeconds = leadClock.Elapsed.TotalSeconds;
        var leadNet = leadMs[0] - leadIdle * leadSeconds;
        var lastSeen = (await db.HashGetAllAsync(SimulatedNodes.LastSeenKey)).Length;

        await using var bare = await BareListenerProcess.StartAsync(mesh.RedisConfiguration, PeerChannel, PeerLastSeenKey, ct);
        await sims.BeatAtAsync(FastBeatsPerSecond, WarmupBeats, store: false, PeerChannel, ct); // JIT, as the lead's warm-up
        var bareIdle = await IdleRateAsync(bare.Pid, ct);
        var bareCpu = new CpuTimes([bare.Pid]);
        var bareClock = Stopwatch.StartNew();
        await sims.BeatAtAsync(FastBeatsPerSecond, FastBeats, store: false, PeerChannel, ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var bareSeconds = bareClock.Elapsed.TotalSeconds;
        var bareMs = bareCpu.Ms();
        var bareNet = bareMs - bareIdle * bareSeconds;
        var bareGot = await bare.CountAsync(ct) - WarmupBeats;

        const string ReadPeer = "HGETALL aurora:registry:nodes, then HGETALL aurora:registry:last_seen, one after the other with StackExchange.Redis from this runner (what the lead reads per request, without JSON)";
        var readNotes = new List<string>
        {
            $"{SimulatedCount} simulated compute nodes + the lead; each record {sims.RecordBytes} bytes of JSON (a copy of the lead's own, capabilities included); GET /nodes answers {nodesBytes:#,0} bytes",
            $"meanwhile the simulated nodes sent {realisticBeats} heartbeats as real ones would with heartbeat_interval 60 s (HSET record, HSET last_seen, PUBLISH node_heartbeat)",
            $"figures are the median of {Rounds} rounds' percentiles (min–max), {PerRound} requests per round, one at a time; the lead's HTTP client is this runner",
        };
        readNotes.AddRange(samplers.Select(s => $"{s.Name}, all samples: {Percentile.Summary(samples[s.Name])}"));
        var heartbeatNotes = new List<string>
        {
            $"{FastBeats:#,0} node_heartbeat events at {FastBeatsPerSecond:0}/s (each simulated node every second), each with its HSET record and HSET last_seen as a real node sends them; {WarmupBeats:#,0} before, not counted, on each side",
            $"lead process: {leadMs[0]:#,0} ms CPU in {leadSeconds:0.0} s, minus its idle {leadIdle:0.0} ms/s = {leadNet:#,0} ms; redis-server: {leadMs[1]:#,0} ms (all three commands of each heartbeat)",
            $"bare: a bare-listener process subscribed to {PeerChannel} that parses each envelope and HSETs last_seen, as the lead's Heartbeats do; it counted {bareGot:#,0}; {bareMs:#,0} ms CPU in {bareSeconds:0.0} s, minus its idle {bareIdle:0.0} ms/s = {bareNet:#,0} ms",
            $"last_seen holds {lastSeen} entries after the run",
        };
        return
        [
            Latency("GET /nodes p50, 500 nodes", "GET /nodes", p50, ReadPeer, readNotes),
            Latency("GET /nodes p99, 500 nodes", "GET /nodes", p99, ReadPeer, ["see the p50 figure's notes"]),
            Latency("GET /stats p50, 500 nodes", "GET /stats", p50, ReadPeer, ["see the GET /nodes p50 figure's notes"]),
            Latency("GET /stats p99, 500 nodes", "GET /stats", p99, ReadPeer, ["see the GET /nodes p50 figure's notes"]),
            new Figure("lead CPU per 1000 heartbeats", "ms", Spread.One(leadNet * 1000 / FastBeats),
                "a bare subscriber process (StackExchange.Redis, System.Text.Json) doing the lead's part of a heartbeat: parse, HSET last_seen",
                Spread.One(bareNet * 1000 / FastBeats), "—", null, heartbeatNotes)
            {
                Samples = samples.ToDictionary(s => s.Key, s => (IReadOnlyList<double>)s.Value),
            },
        ];
    }

    private static Figure Latency(string title, string sampler, Dictionary<string, List<double>> percentiles, string peer, IReadOnlyList<string> notes) =>
        new(title, "ms", Spread.Of(percentiles[sampler]), peer, Spread.Of(percentiles["HGETALL × 2"]), "—", null, notes);

    private static async Task GetAsync(HttpClient api, string path, CancellationToken ct)
    {
        using var response = await api.GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchException($"GET {path} answered {(int)response.StatusCode}");
        }

        await response.Content.ReadAsByteArrayAsync(ct);
    }

    /// <summary>The process's CPU ms per second while nothing is asked of it.</summary>
    private static async Task<double> IdleRateAsync(int pid, CancellationToken ct)
    {
        await Task.Delay(Settle, ct);
        var cpu = new CpuTimes([pid]);
        var clock = Stopwatch.StartNew();
        await Task.Delay(IdleWindow, ct);
        return cpu.Ms() / clock.Elapsed.TotalSeconds;
    }
}
