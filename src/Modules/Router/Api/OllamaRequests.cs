using System.Text.Json;

namespace AuroraNode.Modules.Router.Api;

/// <summary>The body of Ollama's POST /api/generate (the fields this node honours; others are ignored like Ollama does).</summary>
internal sealed record OllamaGenerateRequest(string? Model, string? Prompt, string? System, bool? Stream, bool? Raw, JsonElement? KeepAlive, OllamaOptions? Options);

/// <summary>The body of Ollama's POST /api/chat.</summary>
internal sealed record OllamaChatRequest(string? Model, IReadOnlyList<OllamaMessage>? Messages, bool? Stream, JsonElement? KeepAlive, OllamaOptions? Options);

internal sealed record OllamaMessage(string? Role, string? Content);

/// <summary>Ollama's "options": sampling and length. num_predict &lt; 0 generates until the model stops or the context is full.</summary>
internal sealed record OllamaOptions(float? Temperature, int? TopK, float? TopP, long? Seed, int? NumPredict, JsonElement? Stop);
