using System.CommandLine;

namespace AuroraNode.Cli;

/// <summary>
/// Verbs that tell the local node what is about to happen to it: <c>leave</c> (shown as <c>left</c>, and the node
/// stops), <c>sleep</c> and <c>wake</c> (a laptop about to suspend, and back: shown as <c>sleeping</c>, not offline).
/// </summary>
internal static class NodeActionCommands
{
    public static Command Leave() => Create(
        "leave", "Leave the mesh on purpose: the registry shows the node as left, and the node stops", "/api/v1/node/leave", api => $"left the mesh; the node at {api} is stopping");

    public static Command Sleep() => Create(
        "sleep", "Announce that this machine is about to sleep: the registry shows the node as sleeping, not offline, until it wakes", "/api/v1/node/sleep", _ => "the mesh sees this node as sleeping until it wakes");

    public static Command Wake() => Create(
        "wake", "Announce that this machine woke up: heartbeats resume at once", "/api/v1/node/wake", _ => "awake: heartbeats resumed");

    private static Command Create(string name, string description, string path, Func<string, string> done)
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var command = new Command(name, description) { config, api };
        command.SetAction(async (result, ct) =>
        {
            var url = CliOptions.ApiOf(result, api, config);
            if (await NodeApiClient.PostAsync(url, path, null, ct) is null)
            {
                return AuroraCli.Failed;
            }

            Console.WriteLine(done(url));
            return AuroraCli.Ok;
        });
        return command;
    }
}
