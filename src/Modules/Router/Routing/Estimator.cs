using AuroraNode.Modules.Router.Load;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// How long a request would take on one node: (prompt time + generation time) × (1 + load) + queue wait, times what
/// this node has learned of that node's real times, + the network round trip. Speeds are the node's measured
/// moving averages; before anything is measured, the seed's prior: GPU ~100 ms, CPU ~1000 ms per 100 tokens
/// generated, and prompts processed ten times as fast. The load (the share of the other slots busy beside it) slows
/// only the prior: measured speeds are measured while the node's slots share the machine, so they carry its sharing
/// already. The wait, when every slot is taken, is the node's published backlog (what its running requests have left
/// and its queued ones need) and the requests this node sent since, shared by its slots; a node that publishes no
/// backlog is priced at one average request per request ahead.
/// </summary>
internal static class Estimator
{
    public const double GpuPriorTokensPerSecond = 1000;
    public const double CpuPriorTokensPerSecond = 100;
    public const double PromptSpeedup = 10;

    public static Estimate Of(Candidate c, RequestSize size)
    {
        var m = c.Load;
        var work = WorkMs(m, size);
        var measured = m.GenerationTokensPerSecond > 0;

        // Requests holding or waiting for a slot, brought up to date with what this node sent and saw end since.
        var slots = Math.Max(1, m.Slots);
        var outstanding = Math.Max(0, m.Busy + m.Queued + c.OwnChange);
        double sharing, wait;
        if (outstanding < slots)
        {
            // A free slot: it starts now, sharing the machine with the busy ones.
            sharing = (double)outstanding / slots;
            wait = 0;
        }
        else
        {
            // It starts when a slot frees, behind those queued before it, and runs beside the other busy slots.
            sharing = (double)(slots - 1) / slots;
            var perRequest = m.AverageMs > 0 ? m.AverageMs : work;

            // The backlog is not aged by the time since it was published: pricing a busy node high leaves it room for the
            // requests after this one, and did better in the routing benchmark (p95 1.14× the oracle against 1.16×).
            wait = m.BacklogMs is { } backlog
                ? (backlog + (Math.Max(0, c.OwnChange) * work)) / slots
                : (double)(outstanding - slots + 1) / slots * perRequest;
        }

        // Slowing measured speeds by the load again counted the sharing twice: it priced a many-slot node too high and
        // sent long requests to one-slot nodes (routing benchmark, p95 1.13× the oracle against 1.08× without).
        var load = measured ? 0 : sharing;
        var total = ((work * (1 + load)) + wait) * c.Correction + c.RttMs;
        return new Estimate(c, total, work, load, wait, measured);
    }

    /// <summary>The time a request of <paramref name="size"/> holds a slot of <paramref name="m"/>, alone on the machine (ms).</summary>
    public static double WorkMs(ModelLoad m, RequestSize size)
    {
        var generation = m.GenerationTokensPerSecond > 0 ? m.GenerationTokensPerSecond : m.Gpu ? GpuPriorTokensPerSecond : CpuPriorTokensPerSecond;
        var prompt = m.PromptTokensPerSecond > 0 ? m.PromptTokensPerSecond : generation * PromptSpeedup;
        return (size.PromptTokens / prompt + size.GenerationTokens / generation) * 1000;
    }

    /// <summary>Estimates for all, fastest first (ties: this node, then by name, so the choice is stable).</summary>
    public static List<Estimate> Rank(IEnumerable<Candidate> candidates, RequestSize size) =>
        candidates.Select(c => Of(c, size))
            .OrderBy(e => e.TotalMs)
            .ThenBy(e => e.Candidate.IsSelf ? 0 : 1)
            .ThenBy(e => e.Candidate.Node, StringComparer.Ordinal)
            .ToList();
}

/// <summary>A node that has the model, as this node sees it now.</summary>
/// <param name="OwnChange">Requests this node sent there since its figures were published and still running, less those that were running then and have ended.</param>
/// <param name="Correction">Actual / estimated time of this node's recent requests there (1 before any).</param>
internal sealed record Candidate(string Node, string Url, bool IsSelf, ModelLoad Load, double RttMs, int OwnChange = 0, double Correction = 1);

/// <summary>The size of a request: prompt tokens (estimated from its text) and the tokens it will generate.</summary>
internal sealed record RequestSize(double PromptTokens, double GenerationTokens);

/// <summary>One node's estimate and its parts (milliseconds), for the headers, logs and /api/gpu/status.</summary>
internal sealed record Estimate(Candidate Candidate, double TotalMs, double WorkMs, double Load, double WaitMs, bool Measured);
