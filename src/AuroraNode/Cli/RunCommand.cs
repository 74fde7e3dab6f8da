using System.CommandLine;
using AuroraNode.Configuration;
using AuroraNode.Hosting;
using AuroraNode.Modules.Security;
using AuroraNode.Modules;
using AuroraNode.Modules.Processes;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node run [--config PATH]</c>: start the node and run until SIGTERM or Ctrl+C.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var json = new Option<bool>("--json") { Description = "Log to the console as compact JSON, one event per line (same as logging.format: json)" };
        var command = new Command("run", "Start the node (its PostgreSQL, Redis, modules and HTTP API) and run until stopped") { config, json };
        command.SetAction((result, _) => RunAsync(result.GetValue(config), result.GetValue(json)));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, bool jsonLogs)
    {
        var builder = NodeHost.CreateBuilder();
        var config = NodeConfig.Load(configPath, builder.Services, ModuleCatalog.All, out var error);
        if (config is null)
        {
            await Console.Error.WriteLineAsync($"aurora-node: {error}");
            return AuroraCli.InvalidConfig;
        }

        ConfigIssuesPrinter.Print(config.Report, Console.Error);
        if (!config.IsValid)
        {
            return AuroraCli.InvalidConfig;
        }

        var settings = jsonLogs ? config.Settings with { Logging = config.Settings.Logging with { Json = true } } : config.Settings;
        DataDirectory dataDir;
        try
        {
            dataDir = DataDirectory.Open(settings.Node.DataDir);
            if (!PortProbe.IsFree(settings.Api.Host, settings.Api.Port))
            {
                throw new StartupException("api.listen", $"port {settings.Api.Port} on {settings.Api.Host} is already in use (another aurora-node?); stop that program or choose another api.listen");
            }
        }
        catch (StartupException ex)
        {
            await Console.Error.WriteLineAsync($"aurora-node: {ex.Message}");
            return AuroraCli.Failed;
        }

        using (dataDir)
        {
            var counter = new LogCounter();
            var credentials = new NodeCredentials(settings.Node.DataDir);
            var run = new NodeRun(NodeLogging.Create(settings, counter), counter, credentials, NodeSigningKey.LoadOrCreate(credentials, settings.Node.Name));
            var logger = run.Logger;
            try
            {
                await MeshJoin.EnsureJoinedAsync(settings, run.Credentials, run.SigningKey, logger, CancellationToken.None);
                await MeshSecretsRefresh.RefreshAsync(settings, run.Credentials, run.SigningKey, logger, CancellationToken.None);
            }
            catch (Exception ex) when (ex is JoinRefusedException or StartupException)
            {
                logger.Error("Could not join the mesh: {Reason}", ex.Message);
                await Console.Error.WriteLineAsync($"aurora-node: {ex.Message}");
                await logger.DisposeAsync();
                return ex is JoinRefusedException ? AuroraCli.InvalidConfig : AuroraCli.Failed;
            }

            await using var app = NodeHost.Build(builder, config with { Settings = settings }, run);
            try
            {
                await app.StartAsync();
            }
            catch (StartupException ex)
            {
                logger.Error("Start-up failed: {Reason}", ex.Message);
                await Console.Error.WriteLineAsync($"aurora-node: {ex.Message}");
                await app.StopAsync();
                return AuroraCli.Failed;
            }

            var modules = string.Join(", ", config.Modules.Where(m => m.Loaded).Select(m => m.Name));
            logger.Information("Node {Name} is ready: API at {Api} (roles {Roles}; modules {Modules}; data in {DataDir})",
                settings.Node.Name, settings.Api.LocalUrl, string.Join(", ", settings.Node.Roles.Order().Select(r => r.ToConfigName())), modules, settings.Node.DataDir);
            await app.WaitForShutdownAsync();
            return AuroraCli.Ok;
        }
    }
}
