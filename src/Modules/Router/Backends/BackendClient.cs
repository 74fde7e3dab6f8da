using System.Net.Http.Headers;
using System.Text.Json;
using AuroraNode.Modules.Router.Load;

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

    /// <summary>
    /// The models a server lists: Ollama's /api/tags <c>models[]</c> with name, size, digest, modified_at and details;
    /// OpenAI's /v1/models <c>data[].id</c>, which says nothing more.
    /// </summary>
    public async Task<IReadOnlyList<ListedModel>> ModelsAsync(BackendSettings backend, CancellationToken ct)
    {
        var ollama = backend.Kind == BackendSettings.Ollama;
        using var response = await http.GetAsync(new Uri(backend.Url, ollama ? "/api/tags" : "/v1/models"), ct);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
        var list = json.RootElement.GetProperty(ollama ? "models" : "data");
        return list.EnumerateArray()
            .Select(m => m.GetProperty(ollama ? "name" : "id").GetString() is { } name ? new ListedModel(name, ollama ? Facts(m) : null) : null)
            .OfType<ListedModel>()
            .ToList();
    }

    private static ModelFacts Facts(JsonElement m)
    {
        var details = m.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        return new ModelFacts(
            m.TryGetProperty("size", out var size) && size.TryGetInt64(out var bytes) ? bytes : 0,
            Text(m, "digest"),
            m.TryGetProperty("modified_at", out var at) && at.ValueKind == JsonValueKind.String && at.TryGetDateTimeOffset(out var time) ? time : null,
            Text(details, "family"),
            Text(details, "parameter_size"),
            Text(details, "quantization_level"));
    }

    private static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    public void Dispose() => http.Dispose();
}

/// <summary>A model as a server lists it, with what Ollama says of it (null for an OpenAI server).</summary>
internal sealed record ListedModel(string Name, ModelFacts? Facts);
