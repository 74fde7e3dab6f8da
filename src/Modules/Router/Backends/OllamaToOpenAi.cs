using System.Text.Json;
using System.Text.Json.Nodes;
using AuroraNode.Modules.Router.Api;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// Turns an Ollama request (/api/generate, /api/chat) into the OpenAI request an OpenAI-compatible server takes:
/// chat messages (generate's system and prompt become two) for /v1/chat/completions, or a raw prompt for
/// /v1/completions; options num_predict, temperature, top_p, top_k (not OpenAI's, but the usual servers take it), stop,
/// seed and the penalties; format as response_format; tools as they are, an assistant's tool calls with ids, and a tool's answer with the id of the call it answers.
/// The server is always asked to stream, with usage, so the node can measure and report Ollama's figures.
/// </summary>
internal static class OllamaToOpenAi
{
    public const string ChatPath = "/v1/chat/completions";
    public const string CompletionsPath = "/v1/completions";

    /// <summary>The OpenAI request for <paramref name="body"/> sent to Ollama's <paramref name="path"/>, with the server's own <paramref name="serverModel"/>.</summary>
    public static Translated Translate(string path, byte[] body, string serverModel)
    {
        var chat = path.EndsWith("/chat", StringComparison.Ordinal);
        try
        {
            return chat ? Chat(JsonSerializer.Deserialize<OllamaChatRequest>(body, RouterJson.Options), serverModel)
                : Generate(JsonSerializer.Deserialize<OllamaGenerateRequest>(body, RouterJson.Options), serverModel);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } at ? $" at {at}" : "";
            return Translated.Bad(chat, $"the body is not valid JSON for this endpoint{where}: {e.Message.Split('\n')[0].Split(" Path:")[0].TrimEnd('.')}");
        }
    }

    private static Translated Generate(OllamaGenerateRequest? request, string serverModel)
    {
        if (request is null)
        {
            return Translated.Bad(false, "the body must be a JSON object like {\"model\": \"m\", \"prompt\": \"Why is the sky blue?\"}");
        }

        var stream = request.Stream ?? true;
        if (string.IsNullOrEmpty(request.Prompt))
        {
            // Ollama: an empty prompt only loads (or with keep_alive 0 unloads) the model; the server loads its own.
            return Translated.LoadOnly(false, request.Model!, stream, KeepAliveZero(request.KeepAlive) ? "unload" : "load");
        }

        var json = new JsonObject { ["model"] = serverModel };
        string target;
        if (request.Raw == true)
        {
            // Raw: the prompt is already templated; a completions server takes it as it is.
            target = CompletionsPath;
            json["prompt"] = request.Prompt;
        }
        else
        {
            target = ChatPath;
            var messages = new JsonArray();
            if (!string.IsNullOrEmpty(request.System))
            {
                messages.Add(new JsonObject { ["role"] = "system", ["content"] = request.System });
            }

            messages.Add(new JsonObject { ["role"] = "user", ["content"] = request.Prompt });
            json["messages"] = messages;
        }

        return Finish(json, target, chat: false, request.Model!, stream, request.Options, request.Format);
    }

    private static Translated Chat(OllamaChatRequest? request, string serverModel)
    {
        if (request is null)
        {
            return Translated.Bad(true, "the body must be a JSON object like {\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}");
        }

        var stream = request.Stream ?? true;
        if (request.Messages is not { Count: > 0 } messages)
        {
            return Translated.LoadOnly(true, request.Model!, stream, KeepAliveZero(request.KeepAlive) ? "unload" : "load");
        }

        if (messages.FirstOrDefault(m => m.Role is not ("system" or "user" or "assistant" or "tool")) is { } bad)
        {
            return Translated.Bad(true, $"every message needs a \"role\" of system, user, assistant or tool, got '{bad.Role}'");
        }

        var list = new JsonArray();
        var calls = new List<(string Id, string? Name)>();
        foreach (var m in messages)
        {
            var message = new JsonObject { ["role"] = m.Role, ["content"] = Content(m) };
            if (m.Role == "assistant" && m.ToolCalls is { ValueKind: JsonValueKind.Array } toolCalls)
            {
                message["tool_calls"] = ToolCalls(toolCalls, calls, list.Count);
            }
            else if (m.Role == "tool" && calls.FindIndex(c => m.ToolName is null || c.Name == m.ToolName) is var i and >= 0)
            {
                // Ollama answers a call by its tool's name, OpenAI by the call's id: the earliest unanswered call of that tool.
                message["tool_call_id"] = calls[i].Id;
                calls.RemoveAt(i);
            }

            list.Add(message);
        }

        var json = new JsonObject { ["model"] = serverModel, ["messages"] = list };
        if (request.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0)
        {
            // The same shape in both APIs: [{type: "function", function: {name, description, parameters}}].
            json["tools"] = JsonNode.Parse(tools.GetRawText());
        }

        return Finish(json, ChatPath, chat: true, request.Model!, stream, request.Options, request.Format);
    }

    private static Translated Finish(JsonObject json, string path, bool chat, string model, bool stream, OllamaOptions? options, JsonElement? format)
    {
        if (options?.NumPredict is > 0 and var max)
        {
            json["max_tokens"] = max;
        }

        Set(json, "temperature", options?.Temperature);
        Set(json, "top_p", options?.TopP);
        if (options?.TopK is > 0 and var topK)
        {
            // Not OpenAI's, but llama.cpp's server, vLLM and LM Studio take it; 0 (Ollama: no top-k) is left to the server's default.
            json["top_k"] = topK;
        }

        Set(json, "frequency_penalty", options?.FrequencyPenalty);
        Set(json, "presence_penalty", options?.PresencePenalty);
        if (options?.Seed is { } seed and >= 0)
        {
            json["seed"] = seed;
        }

        if (RouterJson.Strings(options?.Stop) is not { } stop)
        {
            return Translated.Bad(chat, "\"options.stop\" must be a string or a list of strings");
        }

        if (stop.Count > 0)
        {
            json["stop"] = new JsonArray(stop.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        }

        switch (format?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            case JsonValueKind.String when format.Value.GetString() is "json":
                json["response_format"] = new JsonObject { ["type"] = "json_object" };
                break;
            case JsonValueKind.String when format.Value.GetString() is "":
                break;
            case JsonValueKind.Object:
                json["response_format"] = new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject { ["name"] = "response", ["schema"] = JsonNode.Parse(format.Value.GetRawText()) },
                };
                break;
            default:
                return Translated.Bad(chat, $"\"format\" must be \"json\" or a JSON schema object, got {format.Value.GetRawText()}");
        }

        json["stream"] = true;
        json["stream_options"] = new JsonObject { ["include_usage"] = true };
        return new Translated(path, System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), chat, model, stream, null, null);
    }

    // Ollama's calls carry no id and arguments as an object; OpenAI's an id each and arguments as a JSON string.
    private static JsonArray ToolCalls(JsonElement toolCalls, List<(string Id, string? Name)> calls, int message)
    {
        var list = new JsonArray();
        foreach (var call in toolCalls.EnumerateArray())
        {
            var function = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            var name = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            var arguments = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var a)
                ? a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText()
                : "{}";
            var id = $"call_{message}_{list.Count}";
            calls.Add((id, name));
            list.Add(new JsonObject { ["id"] = id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments } });
        }

        return list;
    }

    private static void Set(JsonObject json, string name, float? value)
    {
        if (value is { } v)
        {
            // Through decimal so that 0.7f goes out as 0.7, not 0.699999988079071.
            json[name] = (double)(decimal)v;
        }
    }

    // A string, or with images the parts of OpenAI's vision API (Ollama sends images as bare base64).
    private static JsonNode? Content(OllamaMessage m)
    {
        if (m.Images is not { Count: > 0 } images)
        {
            return m.Content ?? "";
        }

        var parts = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = m.Content ?? "" } };
        foreach (var image in images)
        {
            parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = $"data:{ImageType(image)};base64,{image}" } });
        }

        return parts;
    }

    // The type from the first bytes of the file, as the base64 starts.
    private static string ImageType(string base64) => base64 switch
    {
        _ when base64.StartsWith("/9j/", StringComparison.Ordinal) => "image/jpeg",
        _ when base64.StartsWith("R0lGOD", StringComparison.Ordinal) => "image/gif",
        _ when base64.StartsWith("UklGR", StringComparison.Ordinal) => "image/webp",
        _ => "image/png",
    };

    private static bool KeepAliveZero(JsonElement? keepAlive) => keepAlive?.ValueKind switch
    {
        JsonValueKind.Number => keepAlive.Value.TryGetDouble(out var n) && n == 0,
        JsonValueKind.String => keepAlive.Value.GetString() is "0" or "0s" or "0m",
        _ => false,
    };
}

/// <summary>
/// An Ollama request in OpenAI's terms: the path and body for the server, whether it was chat, the model as the client
/// named it and whether the client wants a stream. Problem: a mistake in the request (400). LoadReason: Ollama's
/// "load the model" request, answered without the server (its done_reason).
/// </summary>
internal sealed record Translated(string Path, byte[] Body, bool Chat, string Model, bool Stream, string? Problem, string? LoadReason)
{
    public static Translated Bad(bool chat, string problem) => new("", [], chat, "", false, problem, null);

    public static Translated LoadOnly(bool chat, string model, bool stream, string reason) => new("", [], chat, model, stream, null, reason);
}
