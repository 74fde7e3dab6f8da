using System.Collections.Concurrent;
using System.Collections.Immutable;
using AuroraNode.Modules.Events;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.EventBus.Bus;

/// <summary>The handlers on this node, by channel; one failing handler never keeps an event from the others.</summary>
internal sealed partial class LocalSubscribers(RecentEvents recent, ILogger<LocalSubscribers> logger)
{
    private readonly ConcurrentDictionary<string, ImmutableList<Func<EventEnvelope, CancellationToken, Task>>> _byChannel = new();

    public IReadOnlyCollection<string> Channels => _byChannel.Where(kv => !kv.Value.IsEmpty).Select(kv => kv.Key).ToList();

    public IDisposable Add(string channel, Func<EventEnvelope, CancellationToken, Task> handler)
    {
        _byChannel.AddOrUpdate(channel, _ => [handler], (_, list) => list.Add(handler));
        return new Subscription(() => _byChannel.AddOrUpdate(channel, _ => [], (_, list) => list.Remove(handler)));
    }

    /// <returns>How many handlers failed.</returns>
    public async Task<int> DispatchAsync(string channel, EventEnvelope envelope, CancellationToken ct)
    {
        recent.Add(channel, envelope);
        if (!_byChannel.TryGetValue(channel, out var handlers))
        {
            return 0;
        }

        var failed = 0;
        foreach (var handler in handlers)
        {
            try
            {
                await handler(envelope, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                LogHandlerFailed(ex, envelope.Type, channel);
            }
        }

        return failed;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A handler of {Type} on {Channel} failed")]
    private partial void LogHandlerFailed(Exception ex, string type, string channel);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}
