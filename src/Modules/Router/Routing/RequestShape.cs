using System.Text.Json;
using AuroraNode.Modules.Router.Models;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>The request shapes the mesh routes: Ollama's (/api/generate, /api/chat) and OpenAI's (/v1/chat/completions).</summary>
internal static class RequestApi
{
    public const string Ollama = "ollama";
    public const string OpenAi = "openai";
}

/// <summary>
/// What routing needs of a generation request, read from its body without taking it apart: the model, the API, whether
/// it streams, and its size (prompt tokens estimated at four characters each; generation tokens from num_predict or
/// max_tokens, else <see cref="DefaultGenerationTokens"/>).
/// </summary>
internal sealed record RequestShape(string Model, string Api, bool Stream, RequestSize Size)
{
    public const int DefaultGenerationTokens = 128;

    /// <summary>The shape of <paramref name="body"/> for the API at <paramref name="api"/>, or null when it is not JSON with a model (the endpoint then says what is wrong).</summary>
    public static RequestShape? Read(string api, byte[] body, bool streamByDefault)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String
                || string.IsNullOrWhiteSpace(model.GetString()))
            {
                return null;
            }

            var stream = root.TryGetProperty("stream", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.GetBoolean() : streamByDefault;
            var chars = Text(root, "prompt") + Text(root, "system");
            if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in messages.EnumerateArray())
                {
                    chars += m.ValueKind == JsonValueKind.Object ? Text(m, "content") + 8 : 0;
                }
            }

            var max = Whole(root, "max_completion_tokens") ?? Whole(root, "max_tokens")
                ?? (root.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Object ? Whole(o, "num_predict") : null);
            var generation = max is { } n and >= 0 ? Math.Min(n, DefaultGenerationTokens * 32) : DefaultGenerationTokens;
            return new RequestShape(ModelNames.Bare(model.GetString()!), api, stream, new RequestSize(Math.Max(1, chars / 4.0), generation));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int Text(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return 0;
        }

        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!.Length,
            JsonValueKind.Array => v.EnumerateArray().Sum(p => p.ValueKind == JsonValueKind.Object ? Text(p, "text") : 0),
            _ => 0,
        };
    }

    private static long? Whole(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}
