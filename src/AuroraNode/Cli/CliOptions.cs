using System.CommandLine;

namespace AuroraNode.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CliOptions
{
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = "The config file (default: ./aurora-node.yaml, then /etc/aurora-node/aurora-node.yaml)",
        HelpName = "PATH",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON for scripts instead of tables" };

    public static Option<string?> Api() => new("--api")
    {
        Description = "The node API to talk to (default: this machine's node, from the config's api.listen)",
        HelpName = "URL",
    };

    /// <summary>
    /// The API a verb talks to: <c>--api</c>, else this machine's node from <c>--config</c>. The config also names the
    /// node whose operator the CLI may be (<see cref="CliCredentials"/>), with <c>--api</c> too.
    /// </summary>
    public static string ApiOf(ParseResult result, Option<string?> api, Option<string?> config)
    {
        var configPath = result.GetValue(config);
        CliCredentials.UseConfig(configPath);
        return result.GetValue(api) ?? StatusCommand.LocalApi(configPath);
    }
}
