using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary>
/// A planned switchover with zero loss: <c>aurora-node promote</c> on the synchronous standby, or
/// <c>aurora-node demote [--to NODE]</c> on the primary. Refused with the reason when it is not safe.
/// </summary>
internal static class SwitchoverCommands
{
    // The primary stops, the standby promotes, the old primary rewinds: well under a minute, but not a plain request.
    private const int TimeoutSeconds = 90;

    public static Command Promote()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var command = new Command("promote", "Make this node's PostgreSQL the primary (run it on the synchronous standby): the primary hands over with zero loss and rejoins as a replica") { config, api, json };
        command.SetAction((result, ct) => RunAsync(CliOptions.ApiOf(result, api, config), "/api/v1/replication/promote", null, result.GetValue(json), ct));
        return command;
    }

    public static Command Demote()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var to = new Option<string?>("--to") { Description = "The node to hand over to (default: the synchronous standby)", HelpName = "NODE" };
        var command = new Command("demote", "Hand the primary role to the synchronous standby (run it on the primary) with zero loss; this node rejoins as a replica") { to, config, api, json };
        command.SetAction((result, ct) => RunAsync(CliOptions.ApiOf(result, api, config), "/api/v1/replication/demote", new { to = result.GetValue(to) }, result.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(string api, string path, object? body, bool json, CancellationToken ct)
    {
        if (!json)
        {
            Console.WriteLine("switchover requested; waiting for the primary to hand over...");
        }

        if (await NodeApiClient.PostAsync(api, path, body, ct, TimeoutSeconds) is not { } done)
        {
            return AuroraCli.Failed;
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(done, CliJson.Options));
            return AuroraCli.Ok;
        }

        var seconds = done.TryGetProperty("seconds", out var s) && s.ValueKind == JsonValueKind.Number ? $" in {s.GetDouble().ToString("0.0", CultureInfo.InvariantCulture)} s" : "";
        Console.WriteLine($"switched over{seconds}: {done.GetProperty("detail").GetString()}");
        return AuroraCli.Ok;
    }
}
