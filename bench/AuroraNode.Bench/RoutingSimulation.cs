using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Bench;

/// <summary>
/// A mesh of heterogeneous simulated nodes serving one request trace, routed by a policy: the router's own
/// Estimator and RoutePlanner (fed, as on a node, by published figures delayed 100 ms, its own dispatches and
/// corrections), round-robin, least-busy (true queue lengths) and a greedy oracle that knows every node's true
/// state, speed and each request's real length. The physics differ from the estimator's model on purpose: slots
/// slow each other by half of (others busy / slots), service times carry ±15% noise, and the router knows only
/// the prompt's size ±20% and max_tokens, not the length really generated.
/// </summary>
internal sealed class RoutingSimulation
{
    public const string Model = "m";
    public const double PublishDelayMs = 100;
    public const double PublishIntervalMs = 1000;

    public static readonly SimNode[] Mesh =
    [
        new("origin-cpu", ClaimsGpu: false, GenTps: 60, PromptTps: 500, Slots: 1, RttMs: 0, BackgroundPerSecond: 0),
        new("gpu-a", ClaimsGpu: true, GenTps: 1000, PromptTps: 8000, Slots: 2, RttMs: 20, BackgroundPerSecond: 0),
        new("gpu-b", ClaimsGpu: true, GenTps: 500, PromptTps: 4000, Slots: 1, RttMs: 35, BackgroundPerSecond: 0),
        new("gpu-busy", ClaimsGpu: true, GenTps: 900, PromptTps: 7000, Slots: 1, RttMs: 15, BackgroundPerSecond: 1.5),
        new("claims-gpu-is-cpu", ClaimsGpu: true, GenTps: 90, PromptTps: 600, Slots: 1, RttMs: 5, BackgroundPerSecond: 0),
        new("mac", ClaimsGpu: false, GenTps: 300, PromptTps: 2500, Slots: 1, RttMs: 10, BackgroundPerSecond: 0),
        new("cpu-1", ClaimsGpu: false, GenTps: 100, PromptTps: 800, Slots: 2, RttMs: 2, BackgroundPerSecond: 0.1),
        new("cpu-far", ClaimsGpu: false, GenTps: 120, PromptTps: 900, Slots: 1, RttMs: 60, BackgroundPerSecond: 0),
    ];

    /// <summary>A trace: Poisson arrivals at <paramref name="loadFraction"/> of the mesh's capacity, sizes drawn per request.</summary>
    public static List<SimRequest> Trace(int seed, int count, double loadFraction)
    {
        var random = new Random(seed);
        var meanService = Mesh.Sum(n => n.Slots / ((300 / n.PromptTps) + (200 / n.GenTps)));
        var perSecond = loadFraction * meanService - Mesh.Sum(n => n.BackgroundPerSecond);
        var t = 0.0;
        var requests = new List<SimRequest>();
        for (var i = 0; i < count; i++)
        {
            t += -Math.Log(1 - random.NextDouble()) / perSecond * 1000;
            requests.Add(Draw(random, i, t, routed: true, node: -1));
        }

        // Other clients' requests straight to a node (not routed, not counted): the router sees them only in its figures.
        for (var n = 0; n < Mesh.Length; n++)
        {
            var bt = 0.0;
            while (Mesh[n].BackgroundPerSecond > 0 && bt < t)
            {
                bt += -Math.Log(1 - random.NextDouble()) / Mesh[n].BackgroundPerSecond * 1000;
                requests.Add(Draw(random, requests.Count, bt, routed: false, node: n));
            }
        }

        return requests.OrderBy(r => r.ArrivalMs).ToList();
    }

    private static SimRequest Draw(Random random, int id, double at, bool routed, int node)
    {
        // Prompts: log-normal around 300 tokens; max_tokens one of four; the model stops after half to all of it.
        var prompt = Math.Clamp(Math.Exp(Math.Log(300) + (0.8 * Gaussian(random))), 20, 4000);
        var max = new[] { 64, 128, 256, 512 }[random.Next(4)];
        var generated = max * (0.5 + (0.5 * random.NextDouble()));
        var noise = Math.Exp(0.15 * Gaussian(random));
        return new SimRequest(id, at, prompt, prompt * (0.8 + (0.4 * random.NextDouble())), max, generated, noise, routed, node);
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Runs the trace under <paramref name="policy"/>; the completion times (ms, arrival to last byte) of the routed requests.</summary>
    public static List<double> Run(IReadOnlyList<SimRequest> trace, Policy policy)
    {
        var sim = new Run(trace, policy);
        return sim.Go();
    }
}

internal enum Policy
{
    Aurora,
    RoundRobin,
    LeastBusy,
    Oracle,
}

internal sealed record SimNode(string Name, bool ClaimsGpu, double GenTps, double PromptTps, int Slots, double RttMs, double BackgroundPerSecond)
{
    /// <summary>The real service time of a request started with <paramref name="othersActive"/> other slots busy.</summary>
    public double ServiceMs(SimRequest r, int othersActive) =>
        ((r.PromptTokens / PromptTps) + (r.Generated / GenTps)) * 1000 * (1 + (0.5 * othersActive / Slots)) * r.Noise;
}

/// <summary>One request: what the router sees (PromptGuess, MaxTokens) and what it really is (PromptTokens, Generated, Noise).</summary>
internal sealed record SimRequest(int Id, double ArrivalMs, double PromptTokens, double PromptGuess, int MaxTokens, double Generated, double Noise, bool Routed, int Node);
