using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Bench;

/// <summary>One run of <see cref="RoutingSimulation"/>: an event queue over simulated time.</summary>
internal sealed class Run(IReadOnlyList<SimRequest> trace, Policy policy)
{
    private static readonly IReadOnlyList<string> Apis = [RequestApi.Ollama];
    private readonly SimNode[] mesh = RoutingSimulation.Mesh;
    private readonly PriorityQueue<Action, (double, long)> events = new();
    private readonly SimClock clock = new();
    private readonly List<double> completions = [];
    private readonly Random ties = new(42);
    private NodeState[] nodes = [];
    private InFlight inFlight = null!;
    private Corrections corrections = null!;
    private long sequence;
    private int roundRobin;

    public List<double> Go()
    {
        nodes = mesh.Select(n => new NodeState(n)).ToArray();
        inFlight = new InFlight(clock);
        corrections = new Corrections(clock);
        var lastArrival = trace.Count == 0 ? 0 : trace[^1].ArrivalMs;
        foreach (var node in nodes)
        {
            Publish(node);
            Every(RoutingSimulation.PublishIntervalMs, lastArrival, () => Publish(node));
        }

        foreach (var r in trace)
        {
            At(r.ArrivalMs, () =>
            {
                if (r.Routed)
                {
                    Route(r);
                }
                else
                {
                    ArriveAtNode(nodes[r.Node], r, null);
                }
            });
        }

        while (events.TryDequeue(out var action, out var key))
        {
            clock.NowMs = key.Item1;
            action();
        }

        return completions;
    }

    private void At(double ms, Action action) => events.Enqueue(action, (ms, sequence++));

    private void Every(double intervalMs, double untilMs, Action action) =>
        At(clock.NowMs + intervalMs, () =>
        {
            action();
            if (clock.NowMs < untilMs)
            {
                Every(intervalMs, untilMs, action);
            }
        });

    private void Route(SimRequest r)
    {
        var (index, estimate) = policy switch
        {
            Policy.Aurora => Aurora(r),
            Policy.RoundRobin => (roundRobin++ % nodes.Length, null),
            Policy.LeastBusy => (LeastBusy(), null),
            _ => (Oracle(r), null),
        };
        var node = nodes[index];
        var dispatch = policy == Policy.Aurora ? inFlight.Begin(node.Sim.Name, RoutingSimulation.Model, estimate!.TotalMs) : null;
        var routed = new Routed(r, clock.NowMs, dispatch, estimate);
        node.InTransit.Add((r, clock.NowMs + (node.Sim.RttMs / 2)));
        At(clock.NowMs + (node.Sim.RttMs / 2), () => ArriveAtNode(node, r, routed));
    }

    // As RoutePlanner builds them on a node; the figures reach the router the moment they are published here (a node
    // takes their time as received less half the round trip), and a request reaches its node half a round trip after.
    private (int, Estimate) Aurora(SimRequest r)
    {
        var candidates = nodes.Select(n =>
        {
            var measured = n.Published.GenerationTokensPerSecond > 0;
            return new Candidate(
                n.Sim.Name, "", n == nodes[0], n.Published, n.Sim.RttMs,
                inFlight.ChangeSince(n.Sim.Name, RoutingSimulation.Model, n.PublishedAt, n.Sim.RttMs / 2),
                corrections.Of(n.Sim.Name, RoutingSimulation.Model, measured));
        }).ToList();
        var best = RoutePlanner.Order(candidates, Visible(r), RoutingOptions.Fastest, _ => false).Order[0];
        return (Array.FindIndex(nodes, n => n.Sim.Name == best.Candidate.Node), best);
    }

    private int LeastBusy()
    {
        var busyness = nodes.Select(n => (double)(n.Active.Count + n.Queue.Count + n.InTransit.Count) / n.Sim.Slots).ToArray();
        var least = busyness.Min();
        var tied = Enumerable.Range(0, nodes.Length).Where(i => busyness[i] == least).ToList();
        return tied[ties.Next(tied.Count)];
    }

    // Perfect knowledge, greedy: each node's true completion time for this request given everything already there.
    private int Oracle(SimRequest r) =>
        Enumerable.Range(0, nodes.Length).MinBy(i => nodes[i].CompletionIf(r, clock.NowMs + (nodes[i].Sim.RttMs / 2)) + (nodes[i].Sim.RttMs / 2));

    private void ArriveAtNode(NodeState node, SimRequest r, Routed? routed)
    {
        node.InTransit.RemoveAll(t => t.Request == r);
        node.Queue.Enqueue((r, routed));
        StartWaiting(node);
        Changed(node);
    }

    private void StartWaiting(NodeState node)
    {
        while (node.Active.Count < node.Sim.Slots && node.Queue.TryDequeue(out var next))
        {
            var (r, routed) = next;
            var others = node.Active.Count;
            var service = node.Sim.ServiceMs(r, others);
            var slowdown = service / (((r.PromptTokens / node.Sim.PromptTps) + (r.Generated / node.Sim.GenTps)) * 1000);
            var end = clock.NowMs + service;
            node.Active.Add((r, clock.NowMs, end));
            At(end, () => Complete(node, r, routed, service, slowdown));
        }
    }

    private void Complete(NodeState node, SimRequest r, Routed? routed, double service, double slowdown)
    {
        node.Active.RemoveAll(a => a.Request == r);
        // The node measures what llama.cpp reports: prompt and generation times, as slowed by its other slots.
        node.Speeds.Record(
            RoutingSimulation.Model, (int)r.PromptTokens, TimeSpan.FromMilliseconds(r.PromptTokens / node.Sim.PromptTps * 1000 * slowdown),
            (int)r.Generated, TimeSpan.FromMilliseconds(r.Generated / node.Sim.GenTps * 1000 * slowdown), TimeSpan.FromMilliseconds(service));
        StartWaiting(node);
        Changed(node);
        if (routed is not null)
        {
            At(clock.NowMs + (node.Sim.RttMs / 2), () => Done(node, routed));
        }
    }

    private void Done(NodeState node, Routed routed)
    {
        var actual = clock.NowMs - routed.SentMs;
        completions.Add(clock.NowMs - routed.Request.ArrivalMs);
        routed.Dispatch?.Dispose();
        if (routed.Estimate is { } e)
        {
            corrections.Record(node.Sim.Name, RoutingSimulation.Model, e.Measured, (e.TotalMs - e.Candidate.RttMs) / e.Candidate.Correction, actual - e.Candidate.RttMs);
        }
    }

    // Like LoadPublisher: a change is published within 100 ms, with the figures as they are then.
    private void Changed(NodeState node)
    {
        if (!node.PublishPending)
        {
            node.PublishPending = true;
            At(clock.NowMs + RoutingSimulation.PublishDelayMs, () => Publish(node));
        }
    }

    private void Publish(NodeState node)
    {
        node.PublishPending = false;
        var speed = node.Speeds.Of(RoutingSimulation.Model);
        var figures = new ModelLoad(
            RoutingSimulation.Model, node.Sim.Slots, node.Active.Count, node.Queue.Count, speed.PromptTokensPerSecond, speed.GenerationTokensPerSecond,
            speed.AverageMs, node.Sim.ClaimsGpu, Apis);

        // The backlog as a node computes it: what it can see of each request (its body's size), at its own speeds.
        var backlog = node.Active.Sum(a => Backlog.RemainingMs(Estimator.WorkMs(figures, Visible(a.Request)), clock.NowMs - a.StartMs))
            + node.Queue.Sum(q => Estimator.WorkMs(figures, Visible(q.Request)));
        node.Published = figures with { BacklogMs = backlog };
        node.PublishedAt = clock.GetUtcNow();
    }

    private static RequestSize Visible(SimRequest r) => new(r.PromptGuess, r.MaxTokens);

    private sealed record Routed(SimRequest Request, double SentMs, InFlight.Dispatch? Dispatch, Estimate? Estimate);

    private sealed class NodeState(SimNode sim)
    {
        public SimNode Sim => sim;

        public List<(SimRequest Request, double StartMs, double EndMs)> Active { get; } = [];

        public Queue<(SimRequest Request, Routed? Routed)> Queue { get; } = new();

        public List<(SimRequest Request, double ArriveMs)> InTransit { get; } = [];

        public SpeedBook Speeds { get; } = new();

        public ModelLoad Published { get; set; } = null!;

        public DateTimeOffset PublishedAt { get; set; }

        public bool PublishPending { get; set; }

        /// <summary>When <paramref name="r"/>, arriving at <paramref name="arriveMs"/>, would finish here: the node run forward, FIFO.</summary>
        public double CompletionIf(SimRequest r, double arriveMs)
        {
            var ends = Active.Select(a => a.EndMs).ToList();
            var pending = Queue.Select(q => (q.Request, Arrive: 0.0))
                .Concat(InTransit.OrderBy(t => t.ArriveMs).Select(t => (t.Request, Arrive: t.ArriveMs)))
                .Append((r, arriveMs));
            var lastStart = 0.0;
            foreach (var (p, arrive) in pending)
            {
                var start = Math.Max(arrive, lastStart);
                ends.RemoveAll(e => e <= start);
                if (ends.Count >= sim.Slots)
                {
                    start = ends.Min();
                    ends.RemoveAll(e => e <= start);
                }

                var end = start + sim.ServiceMs(p, ends.Count);
                ends.Add(end);
                lastStart = start;
                if (p == r)
                {
                    return end;
                }
            }

            throw new InvalidOperationException("the request is always last");
        }
    }
}
