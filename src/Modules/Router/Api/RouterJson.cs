using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Api;

/// <summary>The JSON of the Ollama and OpenAI endpoints: snake_case, nulls left out, bodies read with a message on every mistake.</summary>
internal static class RouterJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The body as <typeparamref name="T"/>, or what is wrong with it.</summary>
    public static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request, string example, CancellationToken ct)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, ct);
            return value is null ? (null, $"the body must be a JSON object like {example}") : (value, null);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : "";
            return (null, $"the body is not valid JSON for this endpoint{where}: {FirstLine(e.Message)}; send a JSON object like {example}");
        }
    }

    /// <summary>Strings from a JSON string or array of strings ("stop"); null when it is neither.</summary>
    public static IReadOnlyList<string>? Strings(JsonElement? element) => element?.ValueKind switch
    {
        null or JsonValueKind.Null or JsonValueKind.Undefined => [],
        JsonValueKind.String => [element.Value.GetString()!],
        JsonValueKind.Array when element.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            element.Value.EnumerateArray().Select(e => e.GetString()!).ToList(),
        _ => null,
    };

    public static long Nanoseconds(TimeSpan t) => t.Ticks * 100;

    private static string FirstLine(string message) => message.Split('\n')[0].Split(" Path:")[0].TrimEnd('.');
}
