using AuroraNode.Modules.EventBus.Transport;
using AuroraNode.Modules.Events;

namespace AuroraNode.Modules.EventBus.Bus;

/// <summary>Publishes to Redis for the other nodes and to this node's subscribers in-process.</summary>
internal sealed class EventBus(LocalSubscribers local, RedisTransport transport, NodeContext node) : IEventBus
{
    public string NodeName => node.Name;

    public async ValueTask PublishAsync(string channel, EventEnvelope envelope, CancellationToken ct)
    {
        if (!EventChannels.IsValid(channel))
        {
            throw new ArgumentException($"'{channel}' is not a channel name: use aurora: followed by letters, digits and : _ - .", nameof(channel));
        }

        await transport.SendAsync(channel, envelope, ct);
        EventBusMetrics.Published.Add(1, EventBusMetrics.Channel(channel));
        await local.DispatchAsync(channel, envelope, ct);
    }

    public IDisposable Subscribe(string channel, Func<EventEnvelope, CancellationToken, Task> handler)
    {
        var subscription = local.Add(channel, handler);
        transport.Listen(channel);
        return subscription;
    }

    public void MarkDurable(string channel) => transport.MarkDurable(channel);
}
