using System.CommandLine;

namespace AuroraNode.Cli;

/// <summary>The verbs of the aurora-node executable. Exit codes: 0 success, 1 failure, 2 bad usage, 78 invalid config.</summary>
internal static class AuroraCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary>EX_CONFIG (sysexits.h): the service manager should not restart a node whose config is invalid.</summary>
    public const int InvalidConfig = 78;

    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("aurora-node: one node of the Aurora mesh (daemon and CLI in one executable)")
        {
            RunCommand.Create(),
            StatusCommand.Create(),
            new Command("config", "Work with the config file") { ConfigCheckCommand.Create() },
            NodesCommand.Create(),
            HealthCommand.Create(),
            SyncDbCommand.Create(),
            SwitchoverCommands.Promote(),
            SwitchoverCommands.Demote(),
            BackupCommand.Create(),
            JoinTokenCommand.Create(),
            NodeActionCommands.Leave(),
            NodeActionCommands.Sleep(),
            NodeActionCommands.Wake(),
            EventsCommand.Create(),
            LoginCommand.Login(),
            LoginCommand.Logout(),
            UsersCommand.Create(),
            AuthCommand.Create(),
            VersionCommand.Create(),
        };
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync($"aurora-node: {error.Message}");
            }

            await Console.Error.WriteLineAsync($"Usage: {UsageLine(result)} (see --help)");
            return Usage;
        }

        // The host handles SIGINT/SIGTERM itself so children stop in order; don't let the parser cut it short.
        return await result.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    private static string UsageLine(ParseResult result)
    {
        var names = new List<string>();
        for (var c = result.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, c.Command is RootCommand ? "aurora-node" : c.Command.Name);
        }

        var command = result.CommandResult.Command;
        var verbs = command.Subcommands.Count > 0 ? $" <{string.Join('|', command.Subcommands.Select(s => s.Name))}>" : "";
        var options = command.Options.Where(o => o.Name is not ("--help" or "--version")).Select(o => $" [{o.Name}]");
        return string.Join(' ', names) + verbs + string.Concat(options);
    }
}
