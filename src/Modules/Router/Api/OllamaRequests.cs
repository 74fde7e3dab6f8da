using System.Text.Json;

namespace AuroraNode.Modules.Router.Api;

/// <summary>The body of Ollama's POST /api/generate (the fields this node honours; others are ignored like Ollama does).</summary>
internal sealed record OllamaGenerateRequest(string? Model, string? Prompt, string? System, bool? Stream, bool? Raw, JsonElement? KeepAlive, OllamaOptions? Options, JsonElement? Format = null);

/// <summary>The body of Ollama's POST /api/chat. Format: "json" or a JSON schema (honoured by OpenAI-compatible servers the node fronts).</summary>
internal sealed record OllamaChatRequest(
    string? Model, IReadOnlyList<OllamaMessage>? Messages, bool? Stream, JsonElement? KeepAlive, OllamaOptions? Options, JsonElement? Format = null, JsonElement? Tools = null);

/// <summary>
/// A chat message; images are base64 (sent on as data URLs to an OpenAI-compatible server). An assistant's tool_calls
/// are <c>[{function: {name, arguments: {...}}}]</c>; a tool's answer names its tool in tool_name.
/// </summary>
internal sealed record OllamaMessage(string? Role, string? Content, IReadOnlyList<string>? Images = null, JsonElement? ToolCalls = null, string? ToolName = null);

/// <summary>Ollama's "options": sampling and length. num_predict &lt; 0 generates until the model stops or the context is full.</summary>
internal sealed record OllamaOptions(
    float? Temperature, int? TopK, float? TopP, long? Seed, int? NumPredict, JsonElement? Stop, float? FrequencyPenalty = null, float? PresencePenalty = null);
