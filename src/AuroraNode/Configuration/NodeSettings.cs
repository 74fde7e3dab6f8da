using AuroraNode.Modules;

namespace AuroraNode.Configuration;

/// <summary>The host's own settings: <c>node</c>, <c>api</c>, <c>mesh</c> and <c>logging</c>.</summary>
internal sealed record NodeSettings(NodeContext Node, ApiSettings Api, MeshSettings Mesh, LoggingSettings Logging);

/// <summary>The <c>mesh</c> section: how a node that is not the lead joins.</summary>
/// <param name="LeadUrl">The lead's API (<c>mesh.lead_url</c>).</param>
/// <param name="JoinToken">A token from <c>aurora-node join-token create</c>, used once on the first start.</param>
internal sealed record MeshSettings(Uri? LeadUrl, string? JoinToken);

/// <summary>The <c>api</c> section.</summary>
/// <param name="Host">Address the HTTP API binds (<c>api.listen</c>).</param>
/// <param name="Port">Its port.</param>
/// <param name="StatusCacheFor">How long a module status snapshot is reused by <c>GET /api/v1/node</c>.</param>
/// <param name="MetricsAllow">Networks that may scrape <c>/metrics</c> without a token (<c>api.metrics_allow</c>); others need a caller.</param>
internal sealed record ApiSettings(string Host, int Port, TimeSpan StatusCacheFor, IReadOnlyList<System.Net.IPNetwork> MetricsAllow)
{
    public const int DefaultPort = 8700;

    /// <summary>The URL a local client uses to reach the API.</summary>
    public string LocalUrl => $"http://{(Host is "0.0.0.0" or "::" ? "127.0.0.1" : Host)}:{Port}";
}

/// <summary>The <c>logging</c> section.</summary>
/// <param name="Level">Minimum level: debug, information, warning or error.</param>
/// <param name="Json">Write compact JSON (one event per line) to the console instead of text.</param>
/// <param name="File">Also write a daily rolling file under <c>data_dir/logs</c>.</param>
/// <param name="RetainedFiles">How many daily files to keep.</param>
internal sealed record LoggingSettings(string Level, bool Json, bool File, int RetainedFiles);
