using System.Collections.Concurrent;
using System.Text.Json;
using AuroraNode.Modules.EventBus.Bus;
using AuroraNode.Modules.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.EventBus.Transport;

/// <summary>
/// Carries events between nodes. Ephemeral channels use Pub/Sub. Durable channels use a Redis Stream per channel
/// (key = channel name, field <c>envelope</c>) with a consumer group per node, so a node that was away reads what
/// it missed; a Pub/Sub message on the same channel wakes the readers at once.
/// </summary>
internal sealed partial class RedisTransport(
    Modules.Redis.IRedis redis,
    NodeContext node,
    EventBusOptions options,
    LocalSubscribers local,
    ILogger<RedisTransport> logger,
    TimeProvider time) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, bool> _durable = new(
        EventChannels.DurableByDefault.Concat(options.DurableChannels).Select(c => new KeyValuePair<string, bool>(c, true)));
    private readonly ConcurrentDictionary<string, Task> _listening = new();
    private readonly Outbox _outbox = new(options.OutboxCapacity);
    private readonly SemaphoreSlim _flushSignal = new(0);
    private Task _flusher = Task.CompletedTask;
    private DurableStreamReader? _streams;

    public int Queued => _outbox.Count;

    private DurableStreamReader Streams => _streams ??= new DurableStreamReader(redis, node, options, ReceiveAsync, logger, time);

    public bool IsConnected => redis.Connection.IsConnected;

    public IReadOnlyCollection<string> ListeningTo => _listening.Keys.ToList();

    /// <summary>The channels this node is a member of: global, its roles, itself, and the durable ones.</summary>
    public IEnumerable<string> Membership() =>
        new[] { EventChannels.Global, EventChannels.Node(node.Name) }
            .Concat(node.Roles.Select(EventChannels.Role))
            .Concat(_durable.Keys);

    public Task StartAsync(CancellationToken ct)
    {
        redis.Connection.ConnectionRestored += (_, _) =>
        {
            EventBusMetrics.Reconnects.Add(1);
            _flushSignal.Release();
        };
        foreach (var channel in Membership())
        {
            Listen(channel);
        }

        _flusher = FlushLoopAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_listening.Values.Append(_flusher)).WaitAsync(TimeSpan.FromSeconds(5), ct).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void MarkDurable(string channel)
    {
        _durable[channel] = true;
        Listen(channel);
    }

    /// <summary>Starts receiving <paramref name="channel"/> from Redis (once).</summary>
    public void Listen(string channel) =>
        _listening.GetOrAdd(channel, c => _durable.ContainsKey(c) ? Streams.RunAsync(c, _stopping.Token) : SubscribeAsync(c, _stopping.Token));

    public async Task SendAsync(string channel, EventEnvelope envelope, CancellationToken ct)
    {
        var item = new OutgoingEvent(channel, JsonSerializer.Serialize(envelope, EventEnvelope.Json), _durable.ContainsKey(channel));
        if (_outbox.Count == 0 && IsConnected)
        {
            try
            {
                await WriteAsync(item);
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogQueued(channel, ex.Message);
            }
        }

        // Keep order: once something waits, everything after it waits too.
        if (_outbox.Enqueue(item) is { } dropped)
        {
            EventBusMetrics.Failed.Add(1, EventBusMetrics.Channel(dropped.Channel));
            LogDropped(dropped.Channel, options.OutboxCapacity);
        }

        _flushSignal.Release();
    }

    private async Task WriteAsync(OutgoingEvent item)
    {
        var db = redis.Connection.GetDatabase();
        if (item.Durable)
        {
            await db.StreamAddAsync(item.Channel, "envelope", item.Json, maxLength: options.StreamMaxLength, useApproximateMaxLength: true);
        }

        await redis.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(item.Channel), item.Json);
    }

    private async Task FlushLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _flushSignal.WaitAsync(TimeSpan.FromSeconds(1), ct);
                while (IsConnected && _outbox.Peek() is { } item)
                {
                    await WriteAsync(item);
                    _outbox.Remove(item);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // Still away; the next signal or tick tries again.
            }
        }
    }

    // Once registered, the client re-subscribes by itself after a reconnect; only the first time needs retrying.
    private async Task SubscribeAsync(string channel, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var queue = await redis.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
                queue.OnMessage(async message => await ReceiveAsync(channel, message.Message.ToString()));
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ReceiveAsync(string channel, string json)
    {
        EventEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<EventEnvelope>(json, EventEnvelope.Json);
        }
        catch (JsonException ex)
        {
            EventBusMetrics.Failed.Add(1, EventBusMetrics.Channel(channel));
            LogUnreadable(channel, ex.Message);
            return;
        }

        if (envelope is null || string.IsNullOrEmpty(envelope.Type) || envelope.SourceNode == node.Name)
        {
            return; // This node's own events were delivered in-process when published.
        }

        EventBusMetrics.Latency.Record(Math.Max(0, (time.GetUtcNow() - envelope.Timestamp).TotalSeconds), EventBusMetrics.Channel(channel));
        EventBusMetrics.Delivered.Add(1, EventBusMetrics.Channel(channel));
        if (await local.DispatchAsync(channel, envelope, _stopping.Token) > 0)
        {
            EventBusMetrics.Failed.Add(1, EventBusMetrics.Channel(channel));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing on {Channel} failed ({Reason}); the event is queued until Redis is back")]
    private partial void LogQueued(string channel, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped the oldest queued event of {Channel}: {Capacity} events wait for Redis")]
    private partial void LogDropped(string channel, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unreadable event on {Channel}: {Reason}")]
    private partial void LogUnreadable(string channel, string reason);
}
