using System.CommandLine;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node leave [--api URL]</c>: the node leaves the mesh on purpose (shown as <c>left</c>, not <c>offline</c>) and stops.</summary>
internal static class LeaveCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var command = new Command("leave", "Leave the mesh on purpose: the registry shows the node as left, and the node stops") { config, api };
        command.SetAction((result, ct) => LeaveAsync(result.GetValue(api) ?? StatusCommand.LocalApi(result.GetValue(config)), ct));
        return command;
    }

    private static async Task<int> LeaveAsync(string api, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await http.PostAsync("/api/v1/node/leave", null, ct);
            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"aurora-node: {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                return AuroraCli.Failed;
            }

            Console.WriteLine($"left the mesh; the node at {api} is stopping");
            return AuroraCli.Ok;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"aurora-node: no node answering at {api} ({ex.Message}); is it running?");
            return AuroraCli.Failed;
        }
    }
}
