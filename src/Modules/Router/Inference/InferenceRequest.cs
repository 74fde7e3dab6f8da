using AuroraNode.Modules.Router.Llama;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>
/// What the Ollama and OpenAI endpoints ask of local inference: a raw prompt, or chat messages the model's
/// template turns into one. MaxTokens int.MaxValue means "until the model stops or the context is full".
/// </summary>
internal sealed record InferenceRequest(
    string Model,
    string? Prompt,
    IReadOnlyList<ChatMessage>? Messages,
    int MaxTokens,
    SamplingSettings Sampling,
    IReadOnlyList<string> Stop,
    TimeSpan? KeepAlive,
    bool Raw = false,
    string? System = null);
