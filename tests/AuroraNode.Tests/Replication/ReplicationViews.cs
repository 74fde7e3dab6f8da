using System.Diagnostics;
using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Replication;

/// <summary>Waits on a node's <c>GET /api/v1/replication</c>.</summary>
internal static class ReplicationViews
{
    public static async Task<JsonElement> WaitForAsync(NodeProcess node, Func<JsonElement, bool> condition, int seconds = 20)
    {
        var until = Stopwatch.StartNew();
        JsonElement view = default;
        while (until.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            try
            {
                view = await node.GetJsonAsync("/api/v1/replication");
                if (condition(view))
                {
                    return view;
                }
            }
            catch (HttpRequestException)
            {
                // Starting, or its server is down for a moment (503).
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{node.Config.Name}'s replication never met the condition in {seconds} s; last: {view}");
        throw new UnreachableException();
    }

    public static bool IsPrimary(JsonElement view) => view.GetProperty("role").GetString() == "primary";

    public static bool StreamsFrom(JsonElement view, NodeProcess primary) =>
        view.GetProperty("role").GetString() == "replica"
        && view.GetProperty("state").GetString() == "streaming"
        && view.GetProperty("primary").GetString() == $"{primary.Config.Address}:{primary.Config.PostgresPort}";

    /// <summary>PostgreSQL waits for <paramref name="name"/>, and Redis records it as the node that may promote.</summary>
    public static Func<JsonElement, bool> HasSyncStandby(string name) => view =>
        view.GetProperty("failover_candidate").ValueKind == JsonValueKind.String && view.GetProperty("failover_candidate").GetString() == name
        && view.GetProperty("replicas").EnumerateArray().Any(r => r.GetProperty("node").GetString() == name && r.GetProperty("sync_state").ValueKind == JsonValueKind.String && r.GetProperty("sync_state").GetString() == "sync");

    /// <summary>True when the primary's view lists <paramref name="node"/> as a streaming replica.</summary>
    public static bool HasStreamingReplica(JsonElement view, string node) =>
        view.GetProperty("replicas").EnumerateArray().Any(r => r.GetProperty("node").GetString() == node && r.GetProperty("state").GetString() == "streaming");
}
