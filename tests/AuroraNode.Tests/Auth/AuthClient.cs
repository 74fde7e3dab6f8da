using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Auth;

/// <summary>Calls to a test node's auth endpoints, with the answer's status and JSON.</summary>
internal static class AuthClient
{
    // A login costs a 600k-round PBKDF2: on a loaded test machine that can take longer than NodeProcess.Http's 10 s.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(
        NodeProcess node, HttpMethod method, string path, object? body = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(new Uri(node.Config.ApiUrl), path));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default, response);
    }

    /// <summary>A request with a JSON body (or none) and an Authorization header as given (none when null); the status and the text.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> SendTextAsync(NodeProcess node, string method, string path, string? body = null, string? authorization = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), node.Config.ApiUrl + path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> LoginAsync(NodeProcess node, string user, string password) =>
        SendAsync(node, HttpMethod.Post, "/api/v1/auth/login", new { username = user, password });

    /// <summary>Logs in and returns the access and refresh tokens; fails the test when the login is refused.</summary>
    public static async Task<(string Access, string Refresh)> TokensAsync(NodeProcess node, string user, string password)
    {
        var (status, body, _) = await LoginAsync(node, user, password);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return (body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!);
    }
}
