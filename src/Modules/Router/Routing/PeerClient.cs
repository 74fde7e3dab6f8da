using System.Diagnostics;
using System.Net.Http.Headers;
using AuroraNode.Modules.Security;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// Every HTTP call the router makes to another node goes through here, on one HttpClient built in one place:
/// forwarding a request, and the round-trip probe. Each call is signed with this node's key
/// (<see cref="NodeSigningHandler"/>): the peer serves another node, not the user, whose token stays here.
/// </summary>
internal sealed class PeerClient(NodeContext node, NodeSigningKey key, TimeProvider time) : IDisposable
{
    /// <summary>Marks a request another node routed here: serve it on this node, never route it on (no loops).</summary>
    public const string ForwardedHeader = "X-Aurora-Forwarded-By";

    public const string LoadPath = "/api/v1/router/load";

    private readonly HttpClient http = new(new NodeSigningHandler(key, time, new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(3),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        // A forwarded answer is read as it comes; an abandoned one is closed at once, not drained.
        MaxResponseDrainSize = 0,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    }))
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Sends the request body to <paramref name="peerUrl"/> and returns once its headers are in; the body streams after.</summary>
    public async Task<HttpResponseMessage> ForwardAsync(string peerUrl, string path, byte[] body, string? contentType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(peerUrl), path));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var type) ? type : new MediaTypeHeaderValue("application/json");
        request.Headers.Add(ForwardedHeader, node.Name);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>The round trip to a node's router, in milliseconds (a small GET of its load).</summary>
    public async Task<double> RoundTripAsync(string peerUrl, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(new Uri(new Uri(peerUrl), LoadPath), HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    public void Dispose() => http.Dispose();
}
