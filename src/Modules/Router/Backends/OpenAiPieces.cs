using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// Reads an OpenAI-compatible server's answer piece by piece: SSE <c>data:</c> events of chat.completion.chunk
/// (delta.content) or text_completion (text) until <c>[DONE]</c>, or one JSON body from a server that does not stream.
/// </summary>
internal static class OpenAiPieces
{
    private const int MaxLine = 4 << 20;

    public static async IAsyncEnumerable<OpenAiPiece> ReadAsync(Stream body, bool eventStream, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!eventStream)
        {
            using var whole = await JsonDocument.ParseAsync(body, cancellationToken: ct);
            yield return Piece(whole.RootElement);
            yield break;
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > MaxLine)
            {
                throw new InvalidDataException($"an event line longer than {MaxLine >> 20} MB");
            }

            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                // Blank lines end events; "event:", "id:" and ": comments" carry nothing we use.
                continue;
            }

            var data = line[5..].Trim();
            if (data == "[DONE]")
            {
                yield break;
            }

            if (data.Length == 0)
            {
                continue;
            }

            using var json = JsonDocument.Parse(data);
            yield return Piece(json.RootElement);
        }
    }

    private static OpenAiPiece Piece(JsonElement root)
    {
        if (root.TryGetProperty("error", out var error))
        {
            throw new InvalidDataException(ErrorMessage(error));
        }

        string text = "";
        string? finish = null;
        IReadOnlyList<ToolCallPart>? calls = null;
        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            var choice = choices[0];
            var delta = choice.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.Object ? d
                : choice.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            text = String(choice, "text") ?? (delta.ValueKind == JsonValueKind.Object ? String(delta, "content") : null) ?? "";
            finish = String(choice, "finish_reason");
            if (delta.ValueKind == JsonValueKind.Object && delta.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
            {
                calls = toolCalls.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object).Select((c, i) =>
                {
                    var function = c.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                    return new ToolCallPart(
                        Whole(c, "index") ?? i,
                        function.ValueKind == JsonValueKind.Object ? String(function, "name") : null,
                        function.ValueKind == JsonValueKind.Object ? String(function, "arguments") : null);
                }).ToList();
            }
        }

        int? prompt = null, completion = null;
        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            prompt = Whole(usage, "prompt_tokens");
            completion = Whole(usage, "completion_tokens");
        }

        return new OpenAiPiece(text, finish, prompt, completion, calls);
    }

    /// <summary>The message of OpenAI's error shape <c>{"error": {"message"}}</c> (or a bare string), else the JSON as it is.</summary>
    public static string ErrorMessage(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => error.GetString()!,
        JsonValueKind.Object when String(error, "message") is { } message => message,
        _ => error.GetRawText(),
    };

    private static string? String(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Whole(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
}

/// <summary>Text from one event, the finish reason when it is the last, the token counts when the server gives its usage, and parts of tool calls.</summary>
internal sealed record OpenAiPiece(string Text, string? FinishReason, int? PromptTokens, int? CompletionTokens, IReadOnlyList<ToolCallPart>? ToolCalls = null);

/// <summary>A part of tool call <see cref="Index"/>: its name when it starts, a piece of its arguments (a JSON string, streamed in pieces).</summary>
internal sealed record ToolCallPart(int Index, string? Name, string? Arguments);
