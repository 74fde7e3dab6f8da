using System.Text.Json.Serialization;
using AuroraNode.Modules.Postgres.Failover;
using AuroraNode.Modules.Postgres.Replication;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using AuroraNode.Modules.Security;

namespace AuroraNode.Modules.Postgres.Api;

/// <summary>
/// <c>GET /api/v1/replication</c>: this node's role, timeline and LSNs, and on the primary every replica with its lag.
/// <c>POST /api/v1/replication/promote</c> (on the synchronous standby) and <c>/demote</c> (on the primary): a
/// planned switchover; 200 with the outcome, 409 with the reason it was refused.
/// </summary>
internal static class ReplicationApi
{
    public static void MapReplicationApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/replication", ReadAsync);
        app.MapPost("/api/v1/replication/promote", PromoteAsync).RequireAuthorization(AccessPolicies.Admin);
        app.MapPost("/api/v1/replication/demote", DemoteAsync).RequireAuthorization(AccessPolicies.Admin);
    }

    private static Task<IResult> PromoteAsync(IServiceProvider services, NodeContext node, CancellationToken ct) =>
        SwitchoverAsync(services, s => s.RequestAsync(node.Name, ct));

    private static Task<IResult> DemoteAsync(IServiceProvider services, DemoteRequest? request, CancellationToken ct) =>
        SwitchoverAsync(services, s => s.RequestDemoteAsync(request?.To, ct));

    private static async Task<IResult> SwitchoverAsync(IServiceProvider services, Func<Switchover, Task<SwitchoverResult>> request)
    {
        if (services.GetService<Switchover>() is not { } switchover)
        {
            return Results.Problem("this node does not run its own PostgreSQL (postgres.managed: false), so it takes no part in switchovers", statusCode: 409);
        }

        try
        {
            var result = await request(switchover);
            return result.Ok ? Results.Json(result) : Results.Problem(result.Detail, statusCode: 409, title: "switchover refused");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or NpgsqlException)
        {
            return Results.Problem($"cannot reach what a switchover needs ({ex.Message}); try again when Redis and PostgreSQL answer", statusCode: 503);
        }
    }

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

/// <summary>The body of <c>POST /api/v1/replication/demote</c>: the node to hand over to (default: the synchronous standby).</summary>
internal sealed record DemoteRequest([property: JsonPropertyName("to")] string? To);
