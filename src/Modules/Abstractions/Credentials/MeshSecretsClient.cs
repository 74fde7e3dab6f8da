using System.Net;
using System.Text.Json;
using AuroraNode.Modules.Security;

namespace AuroraNode.Modules.Credentials;

/// <summary>
/// Fetches another node's current <see cref="MeshSecrets"/> with a request signed by this node's key
/// (<c>GET /api/v1/mesh/credentials</c>); the other node refuses a revoked node.
/// </summary>
public sealed class MeshSecretsClient(NodeSigningKey key, TimeProvider time) : IDisposable
{
    private readonly HttpClient _http = new(new NodeSigningHandler(key, time)) { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The secrets <paramref name="node"/> (its API's base URL) holds; throws <see cref="MeshSecretsFetchException"/> with the reason otherwise.</summary>
    public async Task<MeshSecrets> FetchAsync(Uri node, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(new Uri(node, MeshSecrets.EndpointPath), ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new MeshSecretsFetchException($"{node} does not answer ({ex.Message})", null);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new MeshSecretsFetchException($"{node} answered {(int)response.StatusCode}: {Detail(text)}", response.StatusCode);
            }

            return Parse(text) ?? throw new MeshSecretsFetchException($"{node} answered with no credentials", response.StatusCode);
        }
    }

    /// <summary>The endpoint's answer <c>{version, credentials: {key: value}}</c>, or null when it is not that.</summary>
    public static MeshSecrets? Parse(string json)
    {
        try
        {
            var root = JsonDocument.Parse(json).RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt64(out var v)
                || !root.TryGetProperty("credentials", out var values) || values.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var known = values.EnumerateObject()
                .Where(p => MeshSecrets.Keys.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() is { Length: > 0 })
                .ToDictionary(p => p.Name, p => p.Value.GetString()!);
            return new MeshSecrets(v, known);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Detail(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}

/// <summary>Another node did not hand over its mesh secrets; <see cref="Status"/> is its HTTP answer, if any (401: this node was revoked).</summary>
public sealed class MeshSecretsFetchException(string message, HttpStatusCode? status) : Exception(message)
{
    /// <summary>The other node's HTTP status, or null when it did not answer.</summary>
    public HttpStatusCode? Status { get; } = status;
}
