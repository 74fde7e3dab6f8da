using AuroraNode.Modules.Registry.HealthReports;
using AuroraNode.Modules.Registry.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using AuroraNode.Modules.Security;

namespace AuroraNode.Modules.Registry.Api;

/// <summary>The seed's health-report endpoint, and the mesh view of the latest reports.</summary>
internal static class HealthReportApi
{
    public static void MapHealthReportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/health-report", SubmitAsync).RequireAuthorization(AccessPolicies.NodeOrAdmin);
        app.MapGet("/api/health-report", MeshAsync);
        app.MapGet("/api/v1/health/nodes", MeshAsync);
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> SubmitAsync(HealthReport? report, HealthReportStore store, TimeProvider time)
    {
        if (report is null || string.IsNullOrWhiteSpace(report.Node) || report.Node.Length > 63)
        {
            return TypedResults.Problem("the body needs \"node\" (the reporting node's name) and may have cpu_percent, memory_percent, disk_percent, modules, replication_lag_seconds", statusCode: 400);
        }

        foreach (var (name, value) in new[] { ("cpu_percent", report.CpuPercent), ("memory_percent", report.MemoryPercent), ("disk_percent", report.DiskPercent) })
        {
            if (value is < 0 or > 100)
            {
                return TypedResults.Problem($"\"{name}\" must be between 0 and 100, got {value}", statusCode: 400);
            }
        }

        await store.SaveAsync(report with { Timestamp = report.Timestamp == default ? time.GetUtcNow() : report.Timestamp });
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<IResult> MeshAsync(HealthReportStore store, NodeStore nodes, RegistryOptions options, TimeProvider time)
    {
        var latest = await store.LatestAsync();
        var now = time.GetUtcNow();
        var statuses = (await nodes.ReadAsync()).Nodes.ToDictionary(n => n.Node.Name, n => NodeStatus.Of(n.Node.State, n.LastSeen, now, options));
        return Results.Json(new
        {
            nodes = latest.Values.OrderBy(r => r.Node, StringComparer.Ordinal).ToDictionary(r => r.Node, r => new
            {
                status = statuses.GetValueOrDefault(r.Node, "unknown"),
                report = r,
            }),
            timestamp = now,
        });
    }
}
