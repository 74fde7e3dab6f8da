using AuroraNode.Modules.Events;
using AuroraNode.Modules.Router.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Router.Load;

/// <summary>
/// Publishes this node's load (<c>router_load</c> on <c>aurora:events:global</c>, ephemeral) every
/// <c>publish_interval</c>, and within 100 ms of a change (a slot taken or freed, a queue longer, a new speed).
/// Without the event bus the node routes only to itself.
/// </summary>
internal sealed partial class LoadPublisher(LocalLoad local, RoutingOptions options, IServiceProvider services, TimeProvider time, ILogger<LoadPublisher> log)
    : BackgroundService
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IEventBus>() is not { } bus)
        {
            return;
        }

        string? last = null;
        var lastAt = long.MinValue;
        var failing = false;
        using var timer = new PeriodicTimer(CheckEvery, time);
        try
        {
            do
            {
                try
                {
                    var load = local.Now();
                    var signature = Signature(load);
                    if (signature == last && lastAt != long.MinValue && time.GetElapsedTime(lastAt) < options.PublishInterval)
                    {
                        continue;
                    }

                    await bus.PublishAsync(EventChannels.Global, EventEnvelope.Create(NodeLoad.EventType, local.Node, load.Timestamp, load), stoppingToken);
                    last = signature;
                    lastAt = time.GetTimestamp();
                    failing = false;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Never out of the loop: a background service that throws would stop the node.
                    if (!failing)
                    {
                        LogPublishFailed(e.Message);
                    }

                    failing = true;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // What peers route by; the timestamp left out so that an idle node publishes only every interval.
    private static string Signature(NodeLoad load) =>
        string.Join(';', load.Models.Select(m => $"{m.Model}:{m.Slots}:{m.Busy}:{m.Queued}:{m.PromptTokensPerSecond:F1}:{m.GenerationTokensPerSecond:F1}"));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the router load: {Problem}")]
    private partial void LogPublishFailed(string problem);
}
