namespace AuroraNode.Modules.Security;

/// <summary>
/// Signs every request of an HttpClient with the node's key (<see cref="NodeSigningKey"/>), so the node it calls
/// knows which node is calling. The body is buffered to be hashed; a request that already carries an
/// Authorization header is sent as it is.
/// </summary>
public sealed class NodeSigningHandler(NodeSigningKey key, TimeProvider time, HttpMessageHandler? inner = null) : DelegatingHandler(inner ?? new SocketsHttpHandler())
{
    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            request.Headers.TryAddWithoutValidation("Authorization", key.Authorization(request.Method.Method, uri, body, time.GetUtcNow()));
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
