using System.Diagnostics.Metrics;
using AuroraNode.Modules.Router.Inference;

namespace AuroraNode.Modules.Router;

/// <summary>The router's metrics (exported on /metrics as aurora_router_*), per model.</summary>
internal static class RouterMetrics
{
    private static readonly Meter Meter = new("aurora");
    private static ModelPool? pool;

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("router_requests", description: "Generation requests this node answered, per model and outcome.");

    public static readonly Counter<long> TokensGenerated = Meter.CreateCounter<long>("router_tokens_generated", description: "Tokens generated on this node, per model.");

    public static readonly Counter<long> PromptTokens = Meter.CreateCounter<long>("router_prompt_tokens", description: "Prompt tokens evaluated on this node, per model.");

    public static readonly Counter<long> Routed = Meter.CreateCounter<long>("router_routed", description: "Requests this node routed, per serving node, strategy and outcome (ok, broken: ended after it started).");

    public static readonly Counter<long> RouteFailures = Meter.CreateCounter<long>("router_route_failures", description: "Nodes that failed a request before its first token (the next best was tried), per node.");

    public static readonly Histogram<double> Decisions = Meter.CreateHistogram<double>("router_decision_seconds", "s", "Time to estimate every candidate node and order them, per request.");

    static RouterMetrics()
    {
        Meter.CreateObservableGauge("router_queue_depth", () => Each(m => m.Waiting), description: "Requests waiting for a slot, per loaded model.");
        Meter.CreateObservableGauge("router_busy_slots", () => Each(m => m.Busy), description: "Slots generating now, per loaded model.");
        Meter.CreateObservableGauge("router_loaded_models", () => pool?.Loaded().Count ?? 0, description: "Models in memory on this node.");
    }

    /// <summary>Points the gauges at this node's pool.</summary>
    public static void Observe(ModelPool models) => pool = models;

    public static KeyValuePair<string, object?> Model(string model) => new("model", model);

    public static KeyValuePair<string, object?> Node(string node) => new("node", node);

    public static KeyValuePair<string, object?> Strategy(string strategy) => new("strategy", strategy);

    public static KeyValuePair<string, object?> Outcome(string outcome) => new("outcome", outcome);

    private static IEnumerable<Measurement<int>> Each(Func<LoadedModel, int> value) =>
        pool?.Loaded().Select(m => new Measurement<int>(value(m), Model(m.Settings.Name))) ?? [];
}
