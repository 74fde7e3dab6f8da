using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Registry.Credentials;

/// <summary>
/// <c>GET /api/v1/mesh/credentials</c>: this node's current mesh passwords (<see cref="MeshSecrets"/>), for another
/// node of the mesh only (a signed request; a revoked node is refused before it gets here). A node fetches them after a
/// rotation, and at start when it was away.
/// </summary>
internal static partial class MeshCredentialsApi
{
    public static void MapMeshCredentialsApi(this IEndpointRouteBuilder app) =>
        app.MapGet(MeshSecrets.EndpointPath, Get).RequireAuthorization(AccessPolicies.Node);

    private static IResult Get(HttpContext http, INodeCredentials credentials, ILoggerFactory loggers)
    {
        var secrets = MeshSecrets.Read(credentials);
        LogServed(loggers.CreateLogger(typeof(MeshCredentialsApi)), http.User.FindFirst(AccessPolicies.NodeClaim)?.Value ?? "?", secrets.Version);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new { version = secrets.Version, credentials = secrets.Values });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} fetched the mesh's credentials (version {Version})")]
    private static partial void LogServed(ILogger logger, string node, long version);
}
