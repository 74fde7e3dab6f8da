using AuroraNode.Modules.Router.Load;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// The nodes to try for a request, best first, by <c>modules.router.strategy</c>: this node only (local), the lowest
/// estimate (fastest), the fewest requests per slot (least_busy), or one node (pinned). Nodes cooling down go last.
/// </summary>
internal sealed class RoutePlanner(LocalLoad local, PeerTable peers, Cooldowns cooldowns, Corrections corrections, InFlight inFlight, RoutingOptions options)
{
    // A peer whose round trip is not measured yet is assumed this far (loopback is well under it).
    public const double UnmeasuredRttMs = 5;

    public RoutingOptions Options => options;

    public RoutePlan Plan(RequestShape shape)
    {
        var candidates = Candidates(shape).ToList();
        return Order(candidates, shape.Size, options.Strategy, cooldowns.IsCooling);
    }

    /// <summary>True when some node has the model but takes it only in the other API (an OpenAI-compatible server's).</summary>
    public bool OnlyInAnotherApi(RequestShape shape) =>
        new[] { local.Now() }.Concat(peers.Live().Select(p => p.Load)).Any(l => l.Find(shape.Model) is { } m && !m.Apis.Contains(shape.Api));

    /// <summary>This node's estimate for a request it serves without choosing (one forwarded to it), or null.</summary>
    public Estimate? Here(RequestShape shape)
    {
        var self = local.Now();
        return Usable(self.Find(shape.Model), shape) is { } mine ? Estimator.Of(new Candidate(self.Node, self.Url, true, mine, 0), shape.Size) : null;
    }

    /// <summary>Orders estimates by <paramref name="strategy"/> (pure: the table tests call it).</summary>
    public static RoutePlan Order(IReadOnlyList<Candidate> candidates, RequestSize size, string strategy, Func<string, bool> cooling)
    {
        var ranked = Estimator.Rank(candidates, size);
        var (ordered, reason) = strategy switch
        {
            RoutingOptions.Local => (ranked.Where(e => e.Candidate.IsSelf).ToList(), "local"),
            RoutingOptions.Fastest => (ranked, "fastest"),
            RoutingOptions.LeastBusy => (ranked.OrderBy(e => Busyness(e.Candidate.Load)).ToList(), "least_busy"),
            _ => (ranked.Where(e => e.Candidate.Node == strategy).ToList(), "pinned"),
        };

        // Stable: OrderBy keeps the estimate order among equals.
        return new RoutePlan(ordered.OrderBy(e => cooling(e.Candidate.Node) ? 1 : 0).ToList(), reason);
    }

    public static double Busyness(ModelLoad m) => (double)(m.Busy + m.Queued) / Math.Max(1, m.Slots);

    private IEnumerable<Candidate> Candidates(RequestShape shape)
    {
        var self = local.Now();
        if (Usable(self.Find(shape.Model), shape) is { } mine)
        {
            yield return new Candidate(self.Node, self.Url, true, mine, 0, 0, corrections.Of(self.Node, shape.Model, mine.GenerationTokensPerSecond > 0));
        }

        if (options.Strategy == RoutingOptions.Local)
        {
            yield break;
        }

        foreach (var peer in peers.Live())
        {
            if (Usable(peer.Load.Find(shape.Model), shape) is { } theirs)
            {
                // The figures took about half a round trip to get here (no clock shared with the peer to say exactly).
                var rtt = peer.RttMs ?? UnmeasuredRttMs;
                var oneWay = rtt / 2;
                yield return new Candidate(
                    peer.Load.Node,
                    peer.Load.Url,
                    false,
                    theirs,
                    rtt,
                    inFlight.ChangeSince(peer.Load.Node, shape.Model, peer.ReceivedAt.AddMilliseconds(-oneWay), oneWay),
                    corrections.Of(peer.Load.Node, shape.Model, theirs.GenerationTokensPerSecond > 0));
            }
        }
    }

    private static ModelLoad? Usable(ModelLoad? m, RequestShape shape) => m is not null && m.Apis.Contains(shape.Api) ? m : null;
}

/// <summary>The nodes to try in order, and the strategy that ordered them.</summary>
internal sealed record RoutePlan(IReadOnlyList<Estimate> Order, string Strategy);
