using System.Collections.Concurrent;
using AuroraNode.Modules.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuroraNode.Modules.Router.Load;

/// <summary>
/// The other nodes' load as last published, with the round trip to each (measured by <see cref="PeerProbe"/>).
/// A node not heard from for <c>peer_stale_after</c> is dropped: it left, or died.
/// </summary>
internal sealed class PeerTable(Routing.RoutingOptions options, NodeContext node, IServiceProvider services, TimeProvider time) : IHostedService
{
    private readonly ConcurrentDictionary<string, Peer> peers = new(StringComparer.Ordinal);
    private IDisposable? subscription;

    /// <summary>The peers heard from recently, by name.</summary>
    public IReadOnlyList<Peer> Live()
    {
        var now = time.GetUtcNow();
        foreach (var stale in peers.Values.Where(p => now - p.ReceivedAt > options.PeerStaleAfter))
        {
            peers.TryRemove(new KeyValuePair<string, Peer>(stale.Load.Node, stale));
        }

        return peers.Values.OrderBy(p => p.Load.Node, StringComparer.Ordinal).ToList();
    }

    public void Update(NodeLoad load)
    {
        if (load.Node == node.Name)
        {
            return;
        }

        var now = time.GetUtcNow();
        peers.AddOrUpdate(load.Node, _ => new Peer(load, now, []), (_, old) => old with { Load = load, ReceivedAt = now });
    }

    /// <summary>
    /// Records a probe. The round trip is the least of the last <see cref="RttSamples"/> probes: the network's own
    /// delay, without a first call that met a cold peer or a pause of either process.
    /// </summary>
    public void RoundTrip(string name, double ms)
    {
        if (peers.TryGetValue(name, out var peer))
        {
            var samples = peer.RttSamples.Append(ms).TakeLast(RttSamples).ToArray();
            peers.TryUpdate(name, peer with { RttSamples = samples }, peer);
        }
    }

    public const int RttSamples = 8;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<IEventBus>() is { } bus)
        {
            subscription = bus.Subscribe(EventChannels.Global, (e, _) =>
            {
                try
                {
                    if (e.Type == NodeLoad.EventType && e.DataAs<NodeLoad>() is { Node.Length: > 0, Url.Length: > 0 } load)
                    {
                        Update(load with { Models = load.Models ?? [] });
                    }
                }
                catch (System.Text.Json.JsonException)
                {
                    // Not the shape nodes publish (another tool on the channel): ignored.
                }

                return Task.CompletedTask;
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        subscription?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A node's last load, when it arrived (this node's clock), and its last round trips.</summary>
    internal sealed record Peer(NodeLoad Load, DateTimeOffset ReceivedAt, IReadOnlyList<double> RttSamples)
    {
        /// <summary>The round trip in milliseconds, null until measured.</summary>
        public double? RttMs => RttSamples.Count == 0 ? null : RttSamples.Min();
    }
}
