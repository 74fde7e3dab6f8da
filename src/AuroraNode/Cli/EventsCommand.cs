using System.CommandLine;
using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node events tail [CHANNEL...] [--api URL] [--json]</c>: follow the node's events until Ctrl+C.</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var channels = new Argument<string[]>("channels") { Description = "Channels to follow (default: what the node receives: global, its roles, itself, durable channels)", Arity = ArgumentArity.ZeroOrMore };
        var tail = new Command("tail", "Follow events as they arrive (Server-Sent Events from the node)") { channels, config, api, json };
        tail.SetAction((result, ct) => TailAsync(CliOptions.ApiOf(result, api, config), result.GetValue(channels) ?? [], result.GetValue(json), ct));
        return new Command("events", "Work with the mesh's events") { tail };
    }

    private static async Task<int> TailAsync(string api, string[] channels, bool json, CancellationToken ct)
    {
        using var http = CliCredentials.CreateClient(api, Timeout.InfiniteTimeSpan);
        var query = channels.Length == 0 ? "" : "?channels=" + Uri.EscapeDataString(string.Join(',', channels));
        try
        {
            using var response = await http.GetAsync("/api/v1/events/stream" + query, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"aurora-node: {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                return AuroraCli.Failed;
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            var channel = "";
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    channel = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    Console.WriteLine(json ? line[6..] : Describe(channel, line[6..]));
                }
            }

            return AuroraCli.Ok;
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"aurora-node: no node answering at {api} ({ex.Message}); is it running?");
            return AuroraCli.Failed;
        }
        catch (OperationCanceledException)
        {
            return AuroraCli.Ok;
        }
    }

    private static string Describe(string channel, string json)
    {
        var e = JsonDocument.Parse(json).RootElement;
        var at = e.GetProperty("timestamp").GetDateTimeOffset().ToLocalTime();
        return $"{at:HH:mm:ss.fff}  {channel,-28}  {e.GetProperty("type").GetString(),-20}  {e.GetProperty("source_node").GetString(),-12}  {e.GetProperty("data").GetRawText()}";
    }
}
