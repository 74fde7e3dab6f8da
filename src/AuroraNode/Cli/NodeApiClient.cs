namespace AuroraNode.Cli;

/// <summary>GETs for the CLI verbs that read a node's API, with one message when no node answers.</summary>
internal static class NodeApiClient
{
    /// <summary>The body of <paramref name="path"/>, or null after telling the user the node didn't answer.</summary>
    public static async Task<string?> GetAsync(string api, string path, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            return await http.GetStringAsync(path, ct);
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"aurora-node: no node answering at {api} ({ex.Message}); is it running?");
            return null;
        }
    }
}
