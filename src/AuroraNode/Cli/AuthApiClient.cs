using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary>
/// Calls to the auth endpoints with the token <c>aurora-node login</c> saved: an expired access token is refreshed
/// once (and the new tokens saved); errors are printed with the API's own reason. Without a saved token the
/// node's operator signs as the node (<see cref="CliCredentials"/>).
/// </summary>
internal static class AuthApiClient
{
    /// <summary>The JSON answer (default for 204), or null after printing why there is none.</summary>
    public static async Task<JsonElement?> SendAsync(string? api, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        var saved = TokenFile.Read();
        if (saved is null && !CliCredentials.IsOperator())
        {
            await Console.Error.WriteLineAsync($"aurora-node: not logged in ({TokenFile.FilePath} has no token): run `aurora-node login` first");
            return null;
        }

        // Without a saved login, the node's operator (who can read its credentials) signs as the node.
        api ??= saved?.Api ?? StatusCommand.LocalApi(null);
        using var http = saved is null ? CliCredentials.CreateClient(api, TimeSpan.FromSeconds(30)) : new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var (status, json, text) = await SendOnceAsync(http, method, path, body, saved?.AccessToken, ct);
            if (saved is not null && status == HttpStatusCode.Unauthorized && await RefreshAsync(http, saved, ct) is { } renewed)
            {
                (status, json, text) = await SendOnceAsync(http, method, path, body, renewed.AccessToken, ct);
            }

            if ((int)status is >= 200 and < 300)
            {
                return json;
            }

            var detail = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("detail", out var d) ? d.GetString() : text;
            await Console.Error.WriteLineAsync($"aurora-node: {(int)status}: {detail}");
            return null;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"aurora-node: no node answering at {api} ({ex.Message}); is it running?");
            return null;
        }
    }

    private static async Task<(HttpStatusCode, JsonElement, string)> SendOnceAsync(HttpClient http, HttpMethod method, string path, object? body, string? bearer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: CliJson.Options);
        }

        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonElement json = default;
        if (text.Length > 0)
        {
            try
            {
                json = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not ours: the status and the text are the message.
            }
        }

        return (response.StatusCode, json, text);
    }

    private static async Task<TokenFile?> RefreshAsync(HttpClient http, TokenFile saved, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/refresh", new { refresh_token = saved.RefreshToken }, CliJson.Options, ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var renewed = saved with { AccessToken = json.GetProperty("access_token").GetString()!, RefreshToken = json.GetProperty("refresh_token").GetString()! };
        renewed.Save();
        return renewed;
    }
}
