using System.CommandLine;
using System.Text.Json;
using AuroraNode.Configuration;
using AuroraNode.Hosting;
using AuroraNode.Modules;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node config check [--config PATH] [--json]</c>: the start-up validation, without starting.</summary>
internal static class ConfigCheckCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var json = CliOptions.Json();
        var command = new Command("check", "Validate the config file the way 'run' does, without starting anything") { config, json };
        command.SetAction(result => Check(result.GetValue(config), result.GetValue(json)));
        return command;
    }

    private static int Check(string? path, bool json)
    {
        var loaded = NodeConfig.Load(path, new ServiceCollection(), ModuleCatalog.All, out var error);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(Describe(loaded, error), CliJson.Options));
        }
        else if (loaded is null)
        {
            Console.Error.WriteLine($"aurora-node: {error}");
        }
        else
        {
            ConfigIssuesPrinter.Print(loaded.Report, Console.Error);
            if (loaded.IsValid)
            {
                var modules = string.Join(", ", loaded.Modules.Where(m => m.Loaded).Select(m => m.Name));
                Console.WriteLine($"{loaded.Report.FilePath ?? "built-in defaults"}: valid (node {loaded.Settings.Node.Name}, roles {Roles(loaded)}, modules {modules})");
            }
        }

        return loaded is { IsValid: true } ? AuroraCli.Ok : AuroraCli.Failed;
    }

    private static object Describe(NodeConfig? loaded, string? error) => loaded is null
        ? new { file = (string?)null, valid = false, errors = new[] { new { key = "", message = error, source = "" } }, warnings = Array.Empty<object>(), modules = Array.Empty<object>() }
        : new
        {
            file = loaded.Report.FilePath,
            valid = loaded.IsValid,
            errors = loaded.Report.Errors.Select(e => new { key = e.Key, message = e.Message, source = e.Source }).ToArray(),
            warnings = loaded.Report.Warnings.Select(e => new { key = e.Key, message = e.Message, source = e.Source }).ToArray(),
            modules = loaded.Modules.Select(m => new { name = m.Name, loaded = m.Loaded, reason = m.Reason }).ToArray() as object[],
        };

    private static string Roles(NodeConfig c) => string.Join(", ", c.Settings.Node.Roles.Order().Select(r => r.ToConfigName()));
}
