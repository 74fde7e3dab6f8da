using System.Net.Http.Json;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary>Calls to a node's API for the CLI verbs, with one message when no node answers and the API's own reason when it refuses.</summary>
internal static class NodeApiClient
{
    /// <summary>The body of <paramref name="path"/>, or null after telling the user the node didn't answer.</summary>
    public static async Task<string?> GetAsync(string api, string path, CancellationToken ct)
    {
        using var http = CliCredentials.CreateClient(api, TimeSpan.FromSeconds(10));
        try
        {
            using var response = await http.GetAsync(path, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                return text;
            }

            await Console.Error.WriteLineAsync($"aurora-node: {(int)response.StatusCode}: {Detail(text)}");
            return null;
        }
        catch (HttpRequestException ex)
        {
            await NotAnsweringAsync(api, ex);
            return null;
        }
    }

    /// <summary>The JSON answer to a POST of <paramref name="body"/>, or null after telling the user why there is none.</summary>
    public static async Task<JsonElement?> PostAsync(string api, string path, object? body, CancellationToken ct, int timeoutSeconds = 30)
    {
        using var http = CliCredentials.CreateClient(api, TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            using var response = await http.PostAsJsonAsync(path, body, CliJson.Options, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var json = text.Length > 0 ? JsonDocument.Parse(text).RootElement : default;
            if (response.IsSuccessStatusCode)
            {
                return json;
            }

            await Console.Error.WriteLineAsync($"aurora-node: {(int)response.StatusCode}: {Detail(text)}");
            return null;
        }
        catch (HttpRequestException ex)
        {
            await NotAnsweringAsync(api, ex);
            return null;
        }
        catch (JsonException)
        {
            await Console.Error.WriteLineAsync($"aurora-node: the node at {api} answered {path} with something other than JSON; is that an aurora-node API?");
            return null;
        }
    }

    /// <summary>A problem+json answer's "detail", else the text itself.</summary>
    public static string Detail(string text)
    {
        try
        {
            var json = JsonDocument.Parse(text).RootElement;
            return json.ValueKind == JsonValueKind.Object && json.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    private static Task NotAnsweringAsync(string api, HttpRequestException ex) =>
        Console.Error.WriteLineAsync($"aurora-node: no node answering at {api} ({ex.Message}); is it running?");
}
