using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// Asks every backend without a configured model list for its models, at start and every 10 s (a model pulled into
/// Ollama appears); an Ollama server with a configured list too, for what it says of them (size, digest, details).
/// </summary>
internal sealed partial class BackendDiscovery(BackendSet backends, BackendClient client, TimeProvider time, ILogger<BackendDiscovery> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listing = backends.All.Where(b => b.Settings.Models is null || b.Settings.Kind == BackendSettings.Ollama).ToList();
        if (listing.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                foreach (var backend in listing)
                {
                    await ListAsync(backend, stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ListAsync(Backend backend, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var models = await client.ModelsAsync(backend.Settings, timeout.Token);
            var names = models.Select(m => m.Name).ToList();
            if (backend.ListProblem is not null || !names.SequenceEqual(backend.ListedNames))
            {
                LogListed(backend.Settings.Name, string.Join(", ", names));
            }

            backend.Listed(models);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Any answer that is not a model list (refused, not JSON, another shape) is a problem to report, never a reason to stop the node.
            if (backend.ListProblem is null)
            {
                LogListFailed(backend.Settings.Name, backend.Settings.Url.ToString(), e.Message);
            }

            backend.ListFailed(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backend {Backend} lists models: {Models}")]
    private partial void LogListed(string backend, string models);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend {Backend} at {Url} did not list its models ({Problem}); trying again every 10 s")]
    private partial void LogListFailed(string backend, string url, string problem);
}
