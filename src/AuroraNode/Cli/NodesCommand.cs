using System.CommandLine;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node nodes [--api URL] [--json]</c>: the registry as the seed's table.</summary>
internal static class NodesCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var command = new Command("nodes", "List the mesh's nodes: name, role, status, IP, GPUs, last seen") { config, api, json };
        command.SetAction((result, ct) => ListAsync(CliOptions.ApiOf(result, api, config), result.GetValue(json), ct));
        command.Subcommands.Add(Revoke());
        return command;
    }

    // aurora-node nodes revoke NAME: the node's signed calls are refused by every node from now on.
    private static Command Revoke()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var name = new Argument<string>("name") { Description = "The node whose calls every node refuses from now on (it must join again with a new token)" };
        var force = new Option<bool>("--force") { Description = "Revoke even when it leaves the mesh less safe (e.g. too few Redis Sentinels left for a failover); never the primary" };
        var revoke = new Command("revoke", "Revoke a node's credential: its calls are refused everywhere within a second") { name, force, config, api };
        revoke.SetAction(async (result, ct) =>
        {
            var node = result.GetValue(name)!;
            var path = $"/api/v1/nodes/{Uri.EscapeDataString(node)}/revoke" + (result.GetValue(force) ? "?force=true" : "");
            if (await NodeApiClient.PostAsync(CliOptions.ApiOf(result, api, config), path, null, ct) is not { } answer)
            {
                return AuroraCli.Failed;
            }

            var at = answer.GetProperty("revoked_at").GetDateTimeOffset().ToLocalTime();
            Console.WriteLine(answer.TryGetProperty("already_revoked", out var again) && again.GetBoolean()
                ? $"node {node} was already revoked at {at:yyyy-MM-dd HH:mm:ss}; its calls are refused everywhere"
                : $"node {node} revoked at {at:yyyy-MM-dd HH:mm:ss}; its calls are refused everywhere");
            return PrintRotation(answer) ? AuroraCli.Ok : AuroraCli.Failed;
        });
        return revoke;
    }

    // What the node received when it joined stops working: false when part of it could not be rotated.
    private static bool PrintRotation(JsonElement answer)
    {
        var ok = true;
        if (answer.TryGetProperty("credentials", out var credentials))
        {
            if (credentials.TryGetProperty("already_rotated", out var done) && done.GetBoolean())
            {
                Console.WriteLine($"the mesh's passwords were already rotated for it (version {credentials.GetProperty("version").GetInt64()}); nothing changed");
            }
            else if (credentials.GetProperty("rotated").GetBoolean())
            {
                var holders = string.Join(", ", credentials.GetProperty("holders").EnumerateArray().Select(h => h.GetString()));
                Console.WriteLine($"the mesh's passwords were rotated ({holders}, version {credentials.GetProperty("version").GetInt64()}); every other node fetches them");
                foreach (var line in credentials.GetProperty("disconnected").EnumerateArray())
                {
                    Console.WriteLine($"  {line.GetString()}");
                }

                foreach (var warning in credentials.GetProperty("warnings").EnumerateArray())
                {
                    Console.Error.WriteLine($"warning: {warning.GetString()}");
                }
            }
            else
            {
                Console.Error.WriteLine($"aurora-node: the mesh's passwords were not rotated: {credentials.GetProperty("error").GetString()}");
                ok = false;
            }
        }

        if (answer.TryGetProperty("signing_key", out var key))
        {
            if (key.TryGetProperty("already_rotated", out var replaced) && replaced.GetBoolean())
            {
                Console.WriteLine($"signing keys already replaced: {key.GetProperty("kid").GetString()} signs");
            }
            else if (key.GetProperty("rotated").GetBoolean())
            {
                Console.WriteLine($"signing keys replaced: {key.GetProperty("kid").GetString()} signs; tokens signed before are refused (clients log in or refresh)");
            }
            else
            {
                Console.Error.WriteLine($"aurora-node: {key.GetProperty("error").GetString()}");
                ok = false;
            }
        }

        return ok;
    }

    private static async Task<int> ListAsync(string api, bool json, CancellationToken ct)
    {
        if (await NodeApiClient.GetAsync(api, "/nodes", ct) is not { } body)
        {
            return AuroraCli.Failed;
        }

        var root = JsonDocument.Parse(body).RootElement;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(root, CliJson.Options));
            return AuroraCli.Ok;
        }

        var table = new TextTable("name", "role", "status", "ip", "gpu", "last seen");
        foreach (var node in root.GetProperty("nodes").EnumerateObject().Select(p => p.Value))
        {
            table.Add(
                node.GetProperty("name").GetString(),
                node.GetProperty("role").GetString(),
                node.GetProperty("status").GetString(),
                node.GetProperty("vpn_ip").GetString() ?? "-",
                Gpus(node.GetProperty("capabilities")),
                node.GetProperty("last_seen").ValueKind == JsonValueKind.String ? node.GetProperty("last_seen").GetDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") : "never");
        }

        table.WriteTo(Console.Out);
        if (root.TryGetProperty("source", out var source) && source.GetString() == "cache")
        {
            Console.WriteLine("(Redis unreachable: this node's last copy of the registry)");
        }

        return AuroraCli.Ok;
    }

    // The seed's "2x RTX 4090".
    private static string Gpus(JsonElement caps) =>
        caps.ValueKind == JsonValueKind.Object && caps.TryGetProperty("gpu_count", out var count) && count.ValueKind == JsonValueKind.Number && count.GetInt32() > 0
            ? $"{count.GetInt32()}x {(caps.TryGetProperty("gpu_type", out var type) ? type.GetString() : "GPU")}"
            : "-";
}
