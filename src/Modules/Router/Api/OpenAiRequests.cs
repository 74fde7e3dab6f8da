using System.Text.Json;

namespace AuroraNode.Modules.Router.Api;

/// <summary>
/// The body of OpenAI's POST /v1/chat/completions (the fields this node honours), with top_k as llama.cpp's server,
/// vLLM and LM Studio take it (0 or less: no top-k; absent: Ollama's 40).
/// </summary>
internal sealed record OpenAiChatRequest(
    string? Model,
    IReadOnlyList<OpenAiMessage>? Messages,
    bool? Stream,
    int? MaxTokens,
    int? MaxCompletionTokens,
    float? Temperature,
    float? TopP,
    long? Seed,
    JsonElement? Stop,
    OpenAiStreamOptions? StreamOptions,
    int? N,
    int? TopK = null);

/// <summary>A message; content is a string or an array of parts ({type: "text", text}).</summary>
internal sealed record OpenAiMessage(string? Role, JsonElement? Content);

internal sealed record OpenAiStreamOptions(bool? IncludeUsage);
