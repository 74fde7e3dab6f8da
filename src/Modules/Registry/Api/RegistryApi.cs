using System.Text.Json;
using AuroraNode.Modules.Registry.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using AuroraNode.Modules.Security;

namespace AuroraNode.Modules.Registry.Api;

/// <summary>The seed's registry endpoints, same paths and JSON: /nodes, /nodes/{name}, /nodes/register, /stats, /topology, /health.</summary>
internal static class RegistryApi
{
    public static void MapRegistryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/nodes", ListAsync);
        app.MapGet("/nodes/{name}", GetAsync);
        app.MapPost("/nodes/register", RegisterAsync).RequireAuthorization(AccessPolicies.NodeOrAdmin);
        app.MapGet("/stats", StatsAsync);
        app.MapGet("/topology", TopologyAsync);
        app.MapGet("/health", HealthAsync).AllowAnonymous();
        app.MapPost("/api/v1/node/leave", LeaveAsync).RequireAuthorization(AccessPolicies.Admin);
        app.MapPost("/api/v1/node/sleep", SleepAsync).RequireAuthorization(AccessPolicies.Admin);
        app.MapPost("/api/v1/node/wake", Wake).RequireAuthorization(AccessPolicies.Admin);
    }

    private static async Task<IResult> ListAsync(NodeStore store, RegistryOptions options, TimeProvider time)
    {
        var (views, snapshot, now) = await ViewsAsync(store, options, time);
        return Results.Json(new
        {
            nodes = views.ToDictionary(v => v.Name),
            total = views.Count,
            active = views.Count(v => v.Status == NodeStatus.Active),
            timestamp = now,
            source = snapshot.FromCache ? "cache" : "redis",
        });
    }

    private static async Task<Results<JsonHttpResult<NodeView>, ProblemHttpResult>> GetAsync(string name, NodeStore store, RegistryOptions options, TimeProvider time)
    {
        var (views, _, _) = await ViewsAsync(store, options, time);
        return views.FirstOrDefault(v => v.Name == name) is { } view
            ? TypedResults.Json(view)
            : TypedResults.Problem($"no node named '{name}' in the registry; GET /nodes lists them", statusCode: 404);
    }

    private static async Task<Results<Created<NodeView>, ProblemHttpResult>> RegisterAsync(RegisterRequest? request, NodeStore store, RegistryOptions options, TimeProvider time)
    {
        if (request?.Name is not { } name || !NodeNames.Valid().IsMatch(name))
        {
            return TypedResults.Problem($"the body needs a \"name\": {NodeNames.Rule}", statusCode: 400);
        }

        if (request.Role is not ("lead" or "backup" or "compute" or "edge"))
        {
            return TypedResults.Problem($"\"role\" must be lead, backup, compute or edge, got '{request.Role}'", statusCode: 400);
        }

        if (request.Capabilities is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) } || request.Metadata is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            return TypedResults.Problem("\"capabilities\" and \"metadata\" must be JSON objects", statusCode: 400);
        }

        var now = time.GetUtcNow();
        var earlier = await store.FindAsync(name);
        var record = new NodeRecord(name, request.Role, [request.Role], request.VpnIp, request.PublicIp,
            Object(request.Capabilities), Object(request.Metadata), earlier?.RegisteredAt ?? now, null);
        await store.UpsertAsync(record);
        await store.TouchAsync(name, now);
        return TypedResults.Created($"/nodes/{name}", View(record, now, now, options));
    }

    // Like `consul leave`: the node records that it left on purpose, then shuts down cleanly.
    private static async Task<Accepted<object>> LeaveAsync(Heartbeats heartbeats, NodeContext node, IHostApplicationLifetime lifetime)
    {
        await heartbeats.LeaveAsync();
        lifetime.StopApplication();
        return TypedResults.Accepted((string?)null, (object)new { node = node.Name, status = NodeStatus.Left });
    }

    // For a laptop's suspend hook: silent while asleep without looking dead.
    private static async Task<Ok<object>> SleepAsync(Heartbeats heartbeats, NodeContext node)
    {
        await heartbeats.SleepAsync();
        return TypedResults.Ok((object)new { node = node.Name, status = NodeStatus.Sleeping });
    }

    private static Ok<object> Wake(Heartbeats heartbeats, NodeContext node)
    {
        heartbeats.Wake();
        return TypedResults.Ok((object)new { node = node.Name, status = NodeStatus.Active });
    }

    private static async Task<IResult> StatsAsync(NodeStore store, RegistryOptions options, TimeProvider time)
    {
        var (views, _, now) = await ViewsAsync(store, options, time);
        return Results.Json(new
        {
            total_nodes = views.Count,
            active_nodes = views.Count(v => v.Status == NodeStatus.Active),
            offline_nodes = views.Count(v => v.Status == NodeStatus.Offline),
            nodes_by_role = views.GroupBy(v => v.Role).ToDictionary(g => g.Key, g => g.Count()),
            total_gpus = views.Sum(v => Number(v.Capabilities, "gpu_count")),
            total_vram_gb = views.Sum(v => Number(v.Capabilities, "gpu_memory")),
            timestamp = now,
        });
    }

    // Every node has a VPN link to the lead and replicates the primary's database (the lead's, unless a failover or
    // switchover moved it: each node's heartbeat says what its database is); GPU nodes serve the lead's GPU mesh.
    private static async Task<IResult> TopologyAsync(NodeStore store, RegistryOptions options, TimeProvider time)
    {
        var (views, _, now) = await ViewsAsync(store, options, time);
        var lead = views.FirstOrDefault(v => v.Roles.Contains("lead"))?.Name;
        var primary = views.FirstOrDefault(v => v.Status == NodeStatus.Active && Text(v.Metadata, "database") == "primary")?.Name ?? lead;
        var connections = new List<object>();
        foreach (var v in views.Where(v => primary is not null && v.Name != primary))
        {
            connections.Add(new { source = primary, target = v.Name, type = "db_replication" });
        }

        foreach (var v in views.Where(v => lead is not null && v.Name != lead))
        {
            connections.Add(new { source = lead, target = v.Name, type = "vpn_mesh" });
            if (Number(v.Capabilities, "gpu_count") > 0)
            {
                connections.Add(new { source = v.Name, target = lead, type = "gpu_mesh" });
            }
        }

        return Results.Json(new
        {
            nodes = views.Select(v => new { id = v.Name, label = v.Name, role = v.Role, status = v.Status, vpn_ip = v.VpnIp, capabilities = v.Capabilities }),
            connections,
            timestamp = now,
        });
    }

    private static async Task<IResult> HealthAsync(NodeStore store, RegistryOptions options, TimeProvider time)
    {
        var (views, snapshot, now) = await ViewsAsync(store, options, time);
        return Results.Json(new
        {
            status = snapshot.FromCache ? "degraded" : "healthy",
            service = "node-registry",
            redis = snapshot.FromCache ? "unreachable" : "connected",
            nodes = views.Count,
            active = views.Count(v => v.Status == NodeStatus.Active),
            timestamp = now,
        });
    }

    private static async Task<(List<NodeView> Views, RegistrySnapshot Snapshot, DateTimeOffset Now)> ViewsAsync(NodeStore store, RegistryOptions options, TimeProvider time)
    {
        var snapshot = await store.ReadAsync();
        var now = time.GetUtcNow();
        return (snapshot.Nodes.Select(n => View(n.Node, n.LastSeen, now, options)).ToList(), snapshot, now);
    }

    private static NodeView View(NodeRecord n, DateTimeOffset? lastSeen, DateTimeOffset now, RegistryOptions options) =>
        new(n.Name, n.Role, n.Roles, n.VpnIp, n.PublicIp, NodeStatus.Of(n.State, lastSeen, now, options), lastSeen, n.Capabilities, n.Metadata, n.RegisteredAt);

    private static JsonElement Object(JsonElement? value) =>
        value is { ValueKind: JsonValueKind.Object } v ? v.Clone() : JsonSerializer.SerializeToElement(new { });

    private static string? Text(JsonElement obj, string key) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double Number(JsonElement obj, string key) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
}
