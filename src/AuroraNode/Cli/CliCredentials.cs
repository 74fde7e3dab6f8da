using System.Net.Http.Headers;
using AuroraNode.Configuration;
using AuroraNode.Hosting;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Cli;

/// <summary>
/// How the CLI proves who it is. On a node's own machine, whoever may read its <c>data_dir/credentials</c> (root,
/// or the service user) signs with the node's key and is that node's operator: an admin there, a node elsewhere.
/// Anyone else uses the access token <c>aurora-node login</c> saved.
/// </summary>
internal static class CliCredentials
{
    private static string? _configPath;
    private static Lazy<NodeSigningKey?> _localKey = new(LoadLocalKey);

    /// <summary>The config of the local node, as the verb's <c>--config</c> named it (else the default path).</summary>
    public static void UseConfig(string? configPath)
    {
        _configPath = configPath;
        _localKey = new Lazy<NodeSigningKey?>(LoadLocalKey);
    }

    /// <summary>A client for the node at <paramref name="api"/> that signs or carries the saved token.</summary>
    public static HttpClient CreateClient(string api, TimeSpan timeout)
    {
        HttpMessageHandler handler = _localKey.Value is { } key
            ? new NodeSigningHandler(key, TimeProvider.System)
            : new SocketsHttpHandler();
        var http = new HttpClient(handler) { BaseAddress = new Uri(api), Timeout = timeout };
        if (handler is SocketsHttpHandler && TokenFile.Read() is { } saved)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", saved.AccessToken);
        }

        return http;
    }

    /// <summary>True when the CLI can sign as the local node (its credentials are readable here).</summary>
    public static bool IsOperator() => _localKey.Value is not null;

    // Read once per verb: the config and the credentials file.
    private static NodeSigningKey? LoadLocalKey()
    {
        try
        {
            if (NodeConfig.Load(_configPath, new ServiceCollection(), ModuleCatalog.All, out _)?.Settings.Node is not { } node)
            {
                return null;
            }

            var path = Path.Combine(node.DataDir, "credentials");
            return File.Exists(path) && new NodeCredentials(node.DataDir).Get(CredentialKeys.NodeSigningKey) is { } stored
                ? NodeSigningKey.Load(stored, node.Name)
                : null;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return null; // Not this node's operator: the saved token, if any, speaks for the user.
        }
    }
}
