namespace AuroraNode.Modules.Router.Load;

/// <summary>
/// What a node publishes about its router (event <c>router_load</c> on <c>aurora:events:global</c>): where its API
/// is and, per model it can serve, its slots, queue and measured speed.
/// </summary>
internal sealed record NodeLoad(string Node, string Url, DateTimeOffset Timestamp, IReadOnlyList<ModelLoad> Models)
{
    public const string EventType = "router_load";

    public ModelLoad? Find(string model) => Models.FirstOrDefault(m => m.Model == model);
}

/// <summary>
/// One model on one node. Tokens/s of 0 mean nothing measured yet (the estimator uses its prior); AverageMs is the
/// moving average of how long a request held a slot. Apis: "ollama", "openai" (the request shapes it accepts).
/// Facts: its size, digest and details where the node knows them (null from a node that does not say). BacklogMs: the
/// slot time its running requests have left and its queued ones need, at its measured speeds (null from a node that
/// does not say).
/// </summary>
internal sealed record ModelLoad(
    string Model,
    int Slots,
    int Busy,
    int Queued,
    double PromptTokensPerSecond,
    double GenerationTokensPerSecond,
    double AverageMs,
    bool Gpu,
    IReadOnlyList<string> Apis,
    ModelFacts? Facts = null,
    double? BacklogMs = null);
