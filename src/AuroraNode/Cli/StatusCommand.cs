using System.CommandLine;
using System.Text.Json;
using AuroraNode.Api;
using AuroraNode.Configuration;
using AuroraNode.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node status [--api URL] [--config PATH] [--json]</c>: the node, its roles, modules and their health.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var command = new Command("status", "Show the node, its roles, its modules and the health of its PostgreSQL and Redis") { config, api, json };
        command.SetAction((result, ct) => ShowAsync(CliOptions.ApiOf(result, api, config), result.GetValue(json), ct));
        return command;
    }

    private static async Task<int> ShowAsync(string api, bool json, CancellationToken ct)
    {
        if (!Uri.TryCreate(api, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != "http" && baseUri.Scheme != "https"))
        {
            await Console.Error.WriteLineAsync($"aurora-node: --api must be an http(s) URL like http://127.0.0.1:8700, got '{api}'");
            return AuroraCli.Usage;
        }

        using var http = CliCredentials.CreateClient(api, TimeSpan.FromSeconds(10));
        NodeInfo? info;
        string body;
        try
        {
            using var response = await http.GetAsync("/api/v1/node", ct);
            body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                await Console.Error.WriteLineAsync($"aurora-node: {(int)response.StatusCode}: {NodeApiClient.Detail(body)}");
                await Console.Error.WriteLineAsync("aurora-node: run this where the node's data_dir/credentials is readable (root or the service user, with --config), or `aurora-node login` first");
                return AuroraCli.Failed;
            }

            response.EnsureSuccessStatusCode();
            info = JsonSerializer.Deserialize<NodeInfo>(body, CliJson.Options);
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"aurora-node: no node answering at {api} ({ex.Message}); is it running? Start it with 'aurora-node run'");
            return AuroraCli.Failed;
        }
        catch (TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"aurora-node: the node at {api} did not answer within 10 s");
            return AuroraCli.Failed;
        }

        if (info is null)
        {
            await Console.Error.WriteLineAsync($"aurora-node: {api} did not answer like an aurora-node");
            return AuroraCli.Failed;
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(JsonDocument.Parse(body), CliJson.Options));
        }
        else
        {
            Print(info);
        }

        return info.Ready ? AuroraCli.Ok : AuroraCli.Failed;
    }

    private static void Print(NodeInfo info)
    {
        new TextTable("node", "roles", "version", "uptime", "ready", "api")
            .Add(info.Name, string.Join(",", info.Roles), info.Version, Uptime(info.UptimeSeconds), info.Ready ? "yes" : "no", info.Api)
            .WriteTo(Console.Out);
        Console.WriteLine();
        var modules = new TextTable("module", "state", "detail");
        foreach (var m in info.Modules)
        {
            modules.Add(m.Name, m.Loaded ? m.State : "not loaded", m.Detail);
        }

        modules.WriteTo(Console.Out);
    }

    private static string Uptime(long seconds) => TimeSpan.FromSeconds(seconds) switch
    {
        { TotalMinutes: < 1 } t => $"{t.Seconds}s",
        { TotalHours: < 1 } t => $"{t.Minutes}m{t.Seconds:00}s",
        { TotalDays: < 1 } t => $"{t.Hours}h{t.Minutes:00}m",
        var t => $"{(int)t.TotalDays}d{t.Hours:00}h",
    };

    public static string LocalApi(string? configPath) =>
        NodeConfig.Load(configPath, new ServiceCollection(), ModuleCatalog.All, out _)?.Settings.Api.LocalUrl
        ?? $"http://127.0.0.1:{ApiSettings.DefaultPort}";
}
