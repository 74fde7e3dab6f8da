using AuroraNode.Modules.Auth.Login;
using AuroraNode.Modules.Auth.Nodes;
using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Http;
using IRedis = AuroraNode.Modules.Redis.IRedis;

namespace AuroraNode.Modules.Auth.Api;

/// <summary><c>POST /api/v1/nodes/{name}/revoke</c>: the node's signed calls are refused on every node from now on (within <c>session_check_cache</c>).</summary>
internal static class NodeKeyEndpoints
{
    public static async Task<IResult> RevokeAsync(string name, HttpContext http, IRedis redis, NodeKeyCache cache, SecurityEvents events, TimeProvider time, CancellationToken ct)
    {
        if (await NodeKeys.RevokeAsync(redis.Connection.GetDatabase(), name, time.GetUtcNow()) is not { } revoked)
        {
            return Results.Problem($"no node named '{name}' has a key in this mesh; GET /nodes lists the nodes", statusCode: StatusCodes.Status404NotFound);
        }

        cache.Forget(name);
        await events.RaiseAsync("node_revoked", "warning", http.User.Identity?.Name ?? "?", AuthApi.ClientAddress(http), $"node {name} was revoked; its signed calls are refused everywhere", ct);
        return Results.Ok(new { node = name, revoked_at = revoked.RevokedAt });
    }
}
