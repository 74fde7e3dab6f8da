namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// What a generation cost, as Ollama reports it: prompt_eval_count/duration, eval_count/duration, and
/// total_duration (here without any model load). DoneReason is "stop" (end-of-generation token) or "length".
/// </summary>
internal sealed record GenerationStats(
    int PromptTokens,
    TimeSpan PromptDuration,
    int EvalTokens,
    TimeSpan EvalDuration,
    TimeSpan TotalDuration,
    string DoneReason)
{
    public double PromptTokensPerSecond => PromptDuration > TimeSpan.Zero ? PromptTokens / PromptDuration.TotalSeconds : 0;

    public double EvalTokensPerSecond => EvalDuration > TimeSpan.Zero ? EvalTokens / EvalDuration.TotalSeconds : 0;
}
