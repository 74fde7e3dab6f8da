using AuroraNode.Modules.Router.Routing;
using Microsoft.Extensions.Hosting;

namespace AuroraNode.Modules.Router.Load;

/// <summary>Measures the round trip to every live peer every <c>publish_interval</c>; a peer that does not answer keeps its last figure.</summary>
internal sealed class PeerProbe(PeerTable peers, PeerClient client, RoutingOptions options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PublishInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await Task.WhenAll(peers.Live().Select(p => ProbeAsync(p, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeAsync(PeerTable.Peer peer, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            peers.RoundTrip(peer.Load.Node, await client.RoundTripAsync(peer.Load.Url, timeout.Token));
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // However the probe fails (refused, reset mid-answer, timed out), routing finds out for itself: a request
            // that fails there counts toward its cooldown. A background service that throws would stop the node.
        }
    }
}
