using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Api;

/// <summary>
/// The seed's GPU mesh views, as this node sees the mesh: every node with its models, slots, queue and measured speed
/// (GET /api/gpu/status), and what waits or runs (GET /api/gpu/queue). POST /api/gpu/generate is routed like /api/generate.
/// </summary>
internal static class GpuEndpoints
{
    public static IResult Status(LocalLoad local, PeerTable peers, Cooldowns cooldowns, RoutingOptions options, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var self = local.Now();
        var nodes = new[] { (Load: self, Self: true, Age: TimeSpan.Zero, Rtt: (double?)0) }
            .Concat(peers.Live().Select(p => (p.Load, Self: false, Age: now - p.ReceivedAt, Rtt: p.RttMs)))
            .Select(n => new
            {
                name = n.Load.Node,
                url = n.Load.Url,
                self = n.Self,
                // When the node computed the figures (its clock), and how long ago this node received them.
                published_at = n.Load.Timestamp.UtcDateTime,
                age_ms = Math.Round(n.Age.TotalMilliseconds),
                rtt_ms = n.Rtt is { } rtt ? Math.Round(rtt, 2) : (double?)null,
                cooldown_until = cooldowns.Until(n.Load.Node)?.UtcDateTime,
                models = n.Load.Models.Select(m => new
                {
                    model = m.Model,
                    slots = m.Slots,
                    busy = m.Busy,
                    free = Math.Max(0, m.Slots - m.Busy),
                    queue_depth = m.Queued,
                    backlog_ms = m.BacklogMs is { } backlog ? Math.Round(backlog) : (double?)null,
                    prompt_tokens_per_second = Math.Round(m.PromptTokensPerSecond, 1),
                    generation_tokens_per_second = Math.Round(m.GenerationTokensPerSecond, 1),
                    measured = m.GenerationTokensPerSecond > 0,
                    gpu = m.Gpu,
                    apis = m.Apis,
                }),
            })
            .ToList();
        return Results.Json(new { node = self.Node, strategy = options.Strategy, nodes }, RouterJson.Options);
    }

    public static IResult Queue(LocalLoad local, PeerTable peers, InFlight inFlight)
    {
        var loads = new[] { local.Now() }.Concat(peers.Live().Select(p => p.Load)).ToList();
        return Results.Json(
            new
            {
                node = loads[0].Node,
                queue_depth = loads.Sum(l => l.Models.Sum(m => m.Queued)),
                busy = loads.Sum(l => l.Models.Sum(m => m.Busy)),
                nodes = loads.Select(l => new
                {
                    name = l.Node,
                    queue_depth = l.Models.Sum(m => m.Queued),
                    busy = l.Models.Sum(m => m.Busy),
                    models = l.Models.Where(m => m.Busy + m.Queued > 0).Select(m => new { model = m.Model, slots = m.Slots, busy = m.Busy, queue_depth = m.Queued }),
                }),
                routing = inFlight.All().Select(d => new { id = d.Id, model = d.Model, node = d.Node, started = d.Started.UtcDateTime, estimate_ms = Math.Round(d.EstimateMs) }),
            },
            RouterJson.Options);
    }

    /// <summary>This node's load as it publishes it (GET /api/v1/router/load; peers time their round trip with it).</summary>
    public static IResult Load(LocalLoad local) => Results.Json(local.Now(), RouterJson.Options);
}
