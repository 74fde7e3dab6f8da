using System.Text;
using AuroraNode.Modules;
using AuroraNode.Modules.Router;
using AuroraNode.Modules.Router.Backends;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Models;
using AuroraNode.Modules.Router.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AuroraNode.Bench;

/// <summary>
/// In-process: routing quality in <see cref="RoutingSimulation"/> (mean and p95 completion of the router against
/// round-robin, least-busy and the greedy oracle, on the same traces), and the router's decision time per request
/// with 50 nodes (its real RoutePlanner over a real PeerTable) against a body parse and a round-robin pick.
/// </summary>
internal static class RoutingBench
{
    private const int Traces = 5;
    private const int RequestsPerTrace = 2_000;
    private const double LoadFraction = 0.6;
    private const int Peers = 49;
    private const int Rounds = 5;
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(1);

    public static Task<IReadOnlyList<Figure>> RunAsync(NodeBinary node, CancellationToken ct)
    {
        var figures = new List<Figure>();
        figures.AddRange(Quality(ct));
        figures.Add(Decision(ct));
        return Task.FromResult<IReadOnlyList<Figure>>(figures);
    }

    private static IEnumerable<Figure> Quality(CancellationToken ct)
    {
        Console.WriteLine($"routing: {RoutingSimulation.Mesh.Length} simulated nodes, {Traces} traces of {RequestsPerTrace} requests at {LoadFraction:P0} of capacity");
        var means = Enum.GetValues<Policy>().ToDictionary(p => p, _ => new List<double>());
        var p95s = Enum.GetValues<Policy>().ToDictionary(p => p, _ => new List<double>());
        for (var seed = 1; seed <= Traces; seed++)
        {
            ct.ThrowIfCancellationRequested();
            var trace = RoutingSimulation.Trace(seed, RequestsPerTrace, LoadFraction);
            var line = new StringBuilder($"  trace {seed}:");
            foreach (var policy in Enum.GetValues<Policy>())
            {
                var done = RoutingSimulation.Run(trace, policy);
                means[policy].Add(done.Average());
                p95s[policy].Add(Percentile.Of(done, 95));
                line.Append($" {policy} mean {done.Average():0} ms p95 {Percentile.Of(done, 95):0} ms;");
            }

            Console.WriteLine(line.ToString().TrimEnd(';'));
        }

        var oracleMean = Spread.Of(means[Policy.Oracle]);
        var oracleP95 = Spread.Of(p95s[Policy.Oracle]);
        string[] notes =
        [
            $"{RoutingSimulation.Mesh.Length} nodes: " + string.Join(", ", RoutingSimulation.Mesh.Select(n => $"{n.Name} ({n.GenTps:0} tok/s, {n.Slots} slot(s), {n.RttMs:0} ms{(n.BackgroundPerSecond > 0 ? $", {n.BackgroundPerSecond} req/s of other clients" : "")})")),
            "one node claims a GPU it lacks (the prior is wrong there); figures reach the router 100 ms after a change",
            "per trace the ratio to the oracle: " + string.Join(", ", means[Policy.Aurora].Zip(means[Policy.Oracle], (a, o) => $"{a / o:0.00}")),
        ];
        yield return new Figure("routing: mean completion, Aurora's router", "ms", Spread.Of(means[Policy.Aurora]), "greedy oracle (true state, speeds and lengths), same traces",
            oracleMean, "<= 1.10x oracle", Spread.Of(means[Policy.Aurora]).Median / oracleMean.Median <= 1.10, notes);
        yield return new Figure("routing: p95 completion, Aurora's router", "ms", Spread.Of(p95s[Policy.Aurora]), "greedy oracle, same traces",
            oracleP95, "<= 1.10x oracle", Spread.Of(p95s[Policy.Aurora]).Median / oracleP95.Median <= 1.10, []);
        foreach (var (policy, name) in new[] { (Policy.RoundRobin, "round-robin"), (Policy.LeastBusy, "least-busy (true queue lengths, random ties)") })
        {
            var worse = Spread.Of(means[policy]).Median > Spread.Of(means[Policy.Aurora]).Median && Spread.Of(p95s[policy]).Median > Spread.Of(p95s[Policy.Aurora]).Median;
            yield return new Figure($"routing: mean completion, {name}", "ms", Spread.Of(means[policy]), "greedy oracle, same traces", oracleMean,
                "worse than Aurora's", worse, [$"p95 {Spread.Of(p95s[policy]).Format("ms")}"]);
        }
    }

    private static Figure Decision(CancellationToken ct)
    {
        var time = TimeProvider.System;
        var options = new RouterOptions(
            new LlamaOptions("/nonexistent/aurora-bench-llama", "/nonexistent/aurora-bench-models"), TimeSpan.FromMinutes(5), 1, 8, 1, 512,
            new Dictionary<string, ModelSettings>(), [new BackendSettings("local", BackendSettings.Ollama, new Uri("http://127.0.0.1:1"), ["m", "a", "b", "c", "d"], 1, false)],
            RoutingOptions.Default with { PeerStaleAfter = TimeSpan.FromHours(1) });
        var self = new NodeContext("self", new HashSet<NodeRole> { NodeRole.Compute }, "/tmp", "127.0.0.1", "0", 8700, null);
        using var pool = new ModelPool(options, time, NullLogger<ModelPool>.Instance);
        var inFlight = new InFlight(time);
        var local = new LocalLoad(new LocalLibrary(options), pool, new BackendSet(options), new SpeedBook(), inFlight, new ModelDetailsCache(NullLogger<ModelDetailsCache>.Instance), self, time);
        using var services = new ServiceCollection().BuildServiceProvider();
        var peers = new PeerTable(options.Routing, self, services, time);
        var random = new Random(1);
        for (var i = 0; i < Peers; i++)
        {
            // Five models a node, the one asked for among them, each with measured figures and some load.
            var models = new[] { "m", "a", "b", "c", "d" }.Select(m => new ModelLoad(
                m, 1 + (i % 4), random.Next(3), random.Next(3), 500 + random.Next(5000), 20 + random.Next(1000), 100 + random.Next(3000), i % 3 == 0, [RequestApi.Ollama, RequestApi.OpenAi], BacklogMs: random.Next(5000))).ToList();
            peers.Update(new NodeLoad($"node-{i:D2}", $"http://10.0.0.{i + 2}:8700", time.GetUtcNow(), models));
            peers.RoundTrip($"node-{i:D2}", 1 + random.Next(50));
        }

        var planner = new RoutePlanner(local, peers, new Cooldowns(options.Routing, time), new Corrections(time), inFlight, options.Routing);
        var body = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"prompt\":\"Why is the sky blue? Answer in two sentences, for a child of seven.\",\"stream\":true,\"options\":{\"temperature\":0.7,\"num_predict\":256}}");
        if (planner.Plan(RequestShape.Read(RequestApi.Ollama, body, true)!).Order.Count != Peers + 1)
        {
            throw new BenchException("the decision benchmark's planner does not see all 50 nodes");
        }

        List<double> ours = [], peer = [];
        var picked = 0;
        for (var round = 0; round <= Rounds; round++)
        {
            ct.ThrowIfCancellationRequested();
            var duration = round == 0 ? Round / 2 : Round;
            var a = Throughput.Measure(_ => picked += planner.Plan(RequestShape.Read(RequestApi.Ollama, body, true)!).Order.Count, duration);
            var b = Throughput.Measure(i => picked += RequestShape.Read(RequestApi.Ollama, body, true)!.Model.Length + (i % (Peers + 1)), duration);
            if (round > 0)
            {
                ours.Add(1e6 / a);
                peer.Add(1e6 / b);
                Console.WriteLine($"  decision round {round}: {1e6 / a:0.0} µs (parse + round-robin {1e6 / b:0.00} µs)");
            }
        }

        var spread = Spread.Of(ours);
        return new Figure("routing decision per request, 50 nodes", "µs", spread, "the same body parsed and a round-robin pick",
            Spread.Of(peer), "< 100 µs", spread.Median < 100,
            [$"one thread; the node's real RoutePlanner: its own load, 49 peers of 5 models each from a PeerTable, estimates for all 50, the strategy's order (checksum {picked % 7})"]);
    }
}
