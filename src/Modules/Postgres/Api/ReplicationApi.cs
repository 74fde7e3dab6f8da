using AuroraNode.Modules.Postgres.Replication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Api;

/// <summary><c>GET /api/v1/replication</c>: this node's role, timeline and LSNs, and on the primary every replica with its lag.</summary>
internal static class ReplicationApi
{
    public static void MapReplicationApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/replication", ReadAsync);

    private static async Task<IResult> ReadAsync(ReplicationStatus status, CancellationToken ct)
    {
        try
        {
            return Results.Json(await status.ReadAsync(ct));
        }
        catch (NpgsqlException ex)
        {
            return Results.Problem($"the node's PostgreSQL does not answer ({ex.Message}); GET /api/v1/node shows its state", statusCode: 503);
        }
    }
}
