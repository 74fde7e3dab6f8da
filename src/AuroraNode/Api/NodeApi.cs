using AuroraNode.Configuration;
using AuroraNode.Hosting;
using AuroraNode.Modules;

namespace AuroraNode.Api;

/// <summary>The host's own endpoints: the node's identity and module states, liveness and readiness.</summary>
internal static class NodeApi
{
    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/node", async (ModuleStatus status, NodeSettings settings, NodeStartHistory history, TimeProvider time, CancellationToken ct) =>
            TypedResults.Ok(Describe(await status.CurrentAsync(ct), settings, history, time)));

        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).AllowAnonymous();

        // Ready = every loaded module running (PostgreSQL answering with migrations applied, Redis answering).
        app.MapGet("/health/ready", async (ModuleStatus status, CancellationToken ct) =>
        {
            var modules = (await status.CheckNowAsync(ct)).Where(m => m.Loaded).Select(ToInfo).ToList();
            var ready = modules.All(m => m.State == "running");
            return Results.Json(new { status = ready ? "ready" : "not_ready", modules }, statusCode: ready ? 200 : 503);
        }).AllowAnonymous();
        return app;
    }

    public static NodeInfo Describe(IReadOnlyList<ModuleStatusEntry> modules, NodeSettings settings, NodeStartHistory history, TimeProvider time)
    {
        var node = settings.Node;
        var infos = modules.Select(ToInfo).ToList();
        return new NodeInfo(
            node.Name,
            node.Roles.Order().Select(r => r.ToConfigName()).ToList(),
            node.Version,
            history.StartedAt,
            (long)(time.GetUtcNow() - history.StartedAt).TotalSeconds,
            node.AdvertiseAddress,
            $"http://{settings.Api.Host}:{settings.Api.Port}",
            node.DataDir,
            Environment.ProcessId,
            history.Starts,
            infos.Where(m => m.Loaded).All(m => m.State == "running"),
            infos);
    }

    private static ModuleInfo ToInfo(ModuleStatusEntry e) =>
        new(e.Name, e.Loaded, e.State?.ToString().ToLowerInvariant(), e.Detail, e.Data);
}
