using System.Net.Http.Headers;
using System.Text.Json;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>The HTTP client for the Ollama and OpenAI servers this node fronts (servers of its own, not nodes of the mesh).</summary>
internal sealed class BackendClient : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(3),
        MaxResponseDrainSize = 0,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<HttpResponseMessage> PostAsync(Uri server, string path, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, path));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>The model names a server lists: Ollama's /api/tags <c>models[].name</c>, OpenAI's /v1/models <c>data[].id</c>.</summary>
    public async Task<IReadOnlyList<string>> ModelsAsync(BackendSettings backend, CancellationToken ct)
    {
        var ollama = backend.Kind == BackendSettings.Ollama;
        using var response = await http.GetAsync(new Uri(backend.Url, ollama ? "/api/tags" : "/v1/models"), ct);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
        var list = json.RootElement.GetProperty(ollama ? "models" : "data");
        return list.EnumerateArray().Select(m => m.GetProperty(ollama ? "name" : "id").GetString()).OfType<string>().ToList();
    }

    public void Dispose() => http.Dispose();
}
