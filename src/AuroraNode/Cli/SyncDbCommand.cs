using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node sync-db [--api URL] [--json]</c>: the seed's replication status of this node's PostgreSQL.</summary>
internal static class SyncDbCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var command = new Command("sync-db", "Replication status: this node's role, timeline and LSNs; on the primary every replica with its lag") { config, api, json };
        command.SetAction((result, ct) => ShowAsync(CliOptions.ApiOf(result, api, config), result.GetValue(json), ct));
        return command;
    }

    private static async Task<int> ShowAsync(string api, bool json, CancellationToken ct)
    {
        if (await NodeApiClient.GetAsync(api, "/api/v1/replication", ct) is not { } body)
        {
            return AuroraCli.Failed;
        }

        var root = JsonDocument.Parse(body).RootElement;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(root, CliJson.Options));
            return AuroraCli.Ok;
        }

        var role = Text(root, "role");
        Console.WriteLine($"{Text(root, "node")}: {role}, {Text(root, "state")}, timeline {root.GetProperty("timeline").GetInt64()}");
        if (role == "replica")
        {
            Console.WriteLine($"primary {Text(root, "primary")}; received {Text(root, "receive_lsn")}, replayed {Text(root, "replay_lsn")}; lag {Bytes(root, "lag_bytes")}, {Seconds(root, "lag_seconds")}");
            return AuroraCli.Ok;
        }

        Console.WriteLine($"current WAL position {Text(root, "lsn")}; may promote without loss: {Text(root, "failover_candidate")}");
        var table = new TextTable("replica", "state", "sync", "address", "replay lag", "lag time", "slot", "slot retains");
        foreach (var r in root.GetProperty("replicas").EnumerateArray())
        {
            table.Add(Text(r, "node"), Text(r, "state"), Text(r, "sync_state"), Text(r, "address"), Bytes(r, "replay_lag_bytes"), Seconds(r, "replay_lag_seconds"), Text(r, "slot"), Bytes(r, "slot_retained_bytes"));
        }

        table.WriteTo(Console.Out);
        return AuroraCli.Ok;
    }

    private static string Text(JsonElement e, string key) => e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "-";

    private static string Bytes(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() switch
        {
            < 1024 => $"{v.GetInt64()} B",
            < 1024 * 1024 => $"{v.GetInt64() / 1024.0:0.#} KiB",
            _ => $"{v.GetInt64() / 1048576.0:0.#} MiB",
        } : "-";

    private static string Seconds(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("0.###", CultureInfo.InvariantCulture) + " s" : "-";
}
