namespace AuroraNode.Modules.EventBus.Transport;

/// <summary>One event waiting to be sent.</summary>
internal sealed record OutgoingEvent(string Channel, string Json, bool Durable);

/// <summary>
/// Events published while Redis is unreachable, in order, bounded. When full, the oldest ephemeral event makes
/// room; a durable event is refused (the publisher gets an error) rather than dropped silently.
/// </summary>
internal sealed class Outbox(int capacity)
{
    private readonly LinkedList<OutgoingEvent> _queue = new();
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <returns>The ephemeral event dropped to make room, if any.</returns>
    /// <exception cref="OutboxFullException">When full of durable events and this one is durable.</exception>
    public OutgoingEvent? Enqueue(OutgoingEvent item)
    {
        lock (_gate)
        {
            OutgoingEvent? dropped = null;
            if (_queue.Count >= capacity)
            {
                var oldestEphemeral = FirstEphemeral();
                if (oldestEphemeral is null)
                {
                    if (item.Durable)
                    {
                        throw new OutboxFullException(capacity);
                    }

                    return item;
                }

                dropped = oldestEphemeral.Value;
                _queue.Remove(oldestEphemeral);
            }

            _queue.AddLast(item);
            return dropped;
        }
    }

    public OutgoingEvent? Peek()
    {
        lock (_gate)
        {
            return _queue.First?.Value;
        }
    }

    public void Remove(OutgoingEvent item)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_queue.First?.Value, item))
            {
                _queue.RemoveFirst();
            }
        }
    }

    private LinkedListNode<OutgoingEvent>? FirstEphemeral()
    {
        for (var n = _queue.First; n is not null; n = n.Next)
        {
            if (!n.Value.Durable)
            {
                return n;
            }
        }

        return null;
    }
}

/// <summary>Redis has been unreachable long enough that the outbox is full of durable events.</summary>
internal sealed class OutboxFullException(int capacity)
    : InvalidOperationException($"Redis is unreachable and {capacity} durable events are already waiting; the event was not accepted (raise modules.eventbus.outbox_capacity or bring Redis back)");
