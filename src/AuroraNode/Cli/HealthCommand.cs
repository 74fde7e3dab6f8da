using System.CommandLine;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node health [--api URL] [--json]</c>: every node's latest health report.</summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var command = new Command("health", "Show the mesh's health: each node's status and latest report") { config, api, json };
        command.SetAction((result, ct) => ShowAsync(CliOptions.ApiOf(result, api, config), result.GetValue(json), ct));
        return command;
    }

    private static async Task<int> ShowAsync(string api, bool json, CancellationToken ct)
    {
        if (await NodeApiClient.GetAsync(api, "/api/v1/health/nodes", ct) is not { } body)
        {
            return AuroraCli.Failed;
        }

        var root = JsonDocument.Parse(body).RootElement;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(root, CliJson.Options));
            return AuroraCli.Ok;
        }

        var nodes = root.GetProperty("nodes");

        var table = new TextTable("node", "status", "cpu", "memory", "disk", "modules", "reported");
        foreach (var node in nodes.EnumerateObject())
        {
            var report = node.Value.GetProperty("report");
            table.Add(
                node.Name,
                node.Value.GetProperty("status").GetString(),
                Percent(report, "cpu_percent"),
                Percent(report, "memory_percent"),
                Percent(report, "disk_percent"),
                Modules(report),
                report.GetProperty("timestamp").GetDateTimeOffset().ToLocalTime().ToString("HH:mm:ss"));
        }

        table.WriteTo(Console.Out);
        return AuroraCli.Ok;
    }

    private static string Percent(JsonElement report, string key) =>
        report.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? $"{v.GetDouble():0}%" : "-";

    private static string Modules(JsonElement report)
    {
        if (!report.TryGetProperty("modules", out var modules) || modules.ValueKind != JsonValueKind.Object)
        {
            return "-";
        }

        var notRunning = modules.EnumerateObject().Where(m => m.Value.GetString() != "running").Select(m => $"{m.Name} {m.Value.GetString()}").ToList();
        return notRunning.Count == 0 ? "all running" : string.Join(", ", notRunning);
    }
}
