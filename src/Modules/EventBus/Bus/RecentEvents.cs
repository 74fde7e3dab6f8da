using System.Collections.Concurrent;
using AuroraNode.Modules.Events;

namespace AuroraNode.Modules.EventBus.Bus;

/// <summary>One event as this node saw it.</summary>
internal sealed record SeenEvent(string Channel, EventEnvelope Envelope, DateTimeOffset SeenAt);

/// <summary>The last events this node published or received (a bounded ring), for <c>GET /api/v1/events/recent</c> and <c>events tail</c>.</summary>
internal sealed class RecentEvents(TimeProvider time)
{
    private const int Capacity = 200;
    private readonly ConcurrentQueue<SeenEvent> _events = new();

    public void Add(string channel, EventEnvelope envelope)
    {
        _events.Enqueue(new SeenEvent(channel, envelope, time.GetUtcNow()));
        while (_events.Count > Capacity && _events.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<SeenEvent> Get(IReadOnlySet<string>? channels) =>
        _events.Where(e => channels is null || channels.Contains(e.Channel)).ToList();
}
