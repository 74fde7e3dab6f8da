namespace AuroraNode.Modules.Events;

/// <summary>
/// Publish and subscribe across the node and the mesh. Subscribers on this node are called in-process; other
/// nodes receive the event through Redis. A node never receives its own event twice.
/// </summary>
public interface IEventBus
{
    /// <summary>
    /// Publishes <paramref name="envelope"/> on <paramref name="channel"/>. While Redis is unreachable the event is
    /// queued (bounded) and sent on reconnect; a durable event that can't be queued throws instead of vanishing.
    /// </summary>
    ValueTask PublishAsync(string channel, EventEnvelope envelope, CancellationToken ct);

    /// <summary>Calls <paramref name="handler"/> for every event on <paramref name="channel"/>, local or remote, until disposed.</summary>
    IDisposable Subscribe(string channel, Func<EventEnvelope, CancellationToken, Task> handler);

    /// <summary>Makes <paramref name="channel"/> durable (Redis Streams with a consumer group per node) on this node.</summary>
    void MarkDurable(string channel);

    /// <summary>This node's name, the <c>source_node</c> of what it publishes.</summary>
    string NodeName { get; }
}
