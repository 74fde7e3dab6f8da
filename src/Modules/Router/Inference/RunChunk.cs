namespace AuroraNode.Modules.Router.Inference;

/// <summary>Generated text, or, last, the figures of the whole request (Done not null).</summary>
internal sealed record RunChunk(string Text, RunStats? Done);

/// <summary>Ollama's final figures: the load and the whole request included in Total.</summary>
internal sealed record RunStats(
    int PromptTokens,
    TimeSpan PromptDuration,
    int EvalTokens,
    TimeSpan EvalDuration,
    TimeSpan LoadDuration,
    TimeSpan TotalDuration,
    string DoneReason);
