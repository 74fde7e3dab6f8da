using System.CommandLine;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node join-token create [--ttl 1h] [--role ROLE] [--uses N] [--json]</c>: on the lead, a token a new node joins with.</summary>
internal static class JoinTokenCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var ttl = new Option<string>("--ttl") { Description = "How long the token is valid: 15m, 1h, 7d (at most 30d)", DefaultValueFactory = _ => "1h", HelpName = "DURATION" };
        var role = new Option<string?>("--role") { Description = "Only a node with this role may use it: backup, compute or edge (default: any but lead)" };
        var uses = new Option<int>("--uses") { Description = "How many nodes may join with it", DefaultValueFactory = _ => 1, HelpName = "N" };
        var create = new Command("create", "Create a join token (run it on the lead): expiring, usable once unless --uses says otherwise") { ttl, role, uses, config, api, json };
        create.SetAction((result, ct) => CreateAsync(
            CliOptions.ApiOf(result, api, config),
            new { ttl = result.GetValue(ttl), role = result.GetValue(role), uses = result.GetValue(uses) },
            result.GetValue(json),
            ct));
        return new Command("join-token", "Tokens that let new nodes join the mesh") { create };
    }

    private static async Task<int> CreateAsync(string api, object request, bool json, CancellationToken ct)
    {
        if (await NodeApiClient.PostAsync(api, "/api/v1/join-tokens", request, ct) is not { } created)
        {
            return AuroraCli.Failed;
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(created, CliJson.Options));
            return AuroraCli.Ok;
        }

        var token = created.GetProperty("token").GetString();
        var uses = created.GetProperty("uses").GetInt32();
        var role = created.GetProperty("role").GetString();
        Console.WriteLine($"""
            Join token {created.GetProperty("id").GetString()}: for {(role is null ? "a node of any role but lead" : $"a {role} node")}, usable {(uses == 1 ? "once" : $"{uses} times")}, valid until {created.GetProperty("expires_at").GetDateTimeOffset():yyyy-MM-dd HH:mm:ss} UTC.

                {token}

            On the new node, in aurora-node.yaml (the token is needed on its first start only):

                mesh:
                  lead_url: {created.GetProperty("lead_url").GetString()}
                  join_token: {token}

            Whoever has the token can join the mesh until it is used up or expires: pass it on privately.
            """);
        return AuroraCli.Ok;
    }
}
