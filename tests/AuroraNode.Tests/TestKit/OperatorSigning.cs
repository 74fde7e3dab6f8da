using System.Text.Json;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// Signs a test's requests to a node with that node's own key, read from its credentials file, as the CLI does on
/// the node's machine: the test is the node's operator, an admin there. Before the node has made its key (not
/// started yet) requests go unsigned.
/// </summary>
public sealed class OperatorSigning(NodeConfigFile config) : DelegatingHandler(new SocketsHttpHandler { MaxResponseDrainSize = 0 })
{
    private NodeSigningKey? _key;

    /// <summary>A client of <paramref name="config"/>'s node, signing as its operator.</summary>
    public static HttpClient Client(NodeConfigFile config, TimeSpan timeout) =>
        new(new OperatorSigning(config)) { BaseAddress = new Uri(config.ApiUrl), Timeout = timeout };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && Key() is { } key && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            request.Headers.TryAddWithoutValidation("Authorization", key.Authorization(request.Method.Method, uri, body, DateTimeOffset.UtcNow));
        }

        return await base.SendAsync(request, cancellationToken);
    }

    private NodeSigningKey? Key()
    {
        if (_key is not null)
        {
            return _key;
        }

        var path = Path.Combine(config.DataDir, "credentials");
        if (!File.Exists(path))
        {
            return null;
        }

        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        return values?.GetValueOrDefault(CredentialKeys.NodeSigningKey) is { } stored ? _key = NodeSigningKey.Load(stored, config.Name) : null;
    }
}
