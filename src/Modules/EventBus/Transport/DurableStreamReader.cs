using AuroraNode.Modules.EventBus.Bus;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.EventBus.Transport;

/// <summary>
/// Reads one durable channel's stream with this node's consumer group: first what it received but never
/// acknowledged, then new entries, acknowledged a batch at a time. Publishers trim each stream to about
/// <c>stream_max_length</c>; when the stream was trimmed past what this node had read (it was away, or slower than
/// the publishers), the reader counts the events it lost (<c>aurora_events_lost</c>) and logs a warning: never silently.
/// </summary>
internal sealed partial class DurableStreamReader(
    Modules.Redis.IRedis redis,
    NodeContext node,
    EventBusOptions options,
    Func<string, string, Task> receive,
    ILogger logger,
    TimeProvider time)
{
    public async Task RunAsync(string channel, CancellationToken ct)
    {
        await Task.Yield();
        var wake = new SemaphoreSlim(0);
        var group = node.Name;
        var subscribed = false;
        var position = "0";
        var cursor = new ReadCursor();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var db = redis.Connection.GetDatabase();
                if (!subscribed)
                {
                    cursor = await OpenGroupAsync(db, channel, group);
                    await redis.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel), (_, _) => wake.Release());
                    subscribed = true;
                }

                if (position == ">")
                {
                    await CountLossAsync(db, channel, cursor);
                }

                var entries = await db.StreamReadGroupAsync(channel, group, node.Name, position, count: 100);
                foreach (var entry in entries)
                {
                    await receive(channel, entry["envelope"].ToString());
                }

                if (entries.Length > 0)
                {
                    await db.StreamAcknowledgeAsync(channel, group, entries.Select(e => e.Id).ToArray());
                    if (position == ">")
                    {
                        cursor.Read(entries[^1].Id, entries.Length);
                    }
                }
                else if (position == "0")
                {
                    position = ">";
                }
                else
                {
                    await wake.WaitAsync(options.StreamPollInterval, ct);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogReadFailed(channel, ex.Message);
                position = "0";
                subscribed = false;
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static async Task<ReadCursor> OpenGroupAsync(IDatabase db, string channel, string group)
    {
        try
        {
            // From now on: events before this node ever joined are not its to read.
            await db.StreamCreateConsumerGroupAsync(channel, group, StreamPosition.NewMessages, createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: this node was here before and reads on from where it stopped.
        }

        var mine = (await db.StreamGroupInfoAsync(channel)).FirstOrDefault(g => g.Name == group);
        return new ReadCursor { LastId = mine.LastDeliveredId, Added = mine.EntriesRead };
    }

    // Entries added after this node's position, less those still in the stream, were trimmed before it read them.
    private async Task CountLossAsync(IDatabase db, string channel, ReadCursor cursor)
    {
        if (cursor.LastId is not { } lastId)
        {
            return;
        }

        var info = await db.StreamInfoAsync(channel);
        if (info.Length == 0 || StreamIds.Compare(info.FirstEntry.Id.ToString(), lastId) <= 0)
        {
            return;
        }

        if (cursor.Added is { } added && info.EntriesAdded - added - info.Length is var lost and > 0)
        {
            cursor.Added = added + lost;
            EventBusMetrics.Lost.Add(lost, EventBusMetrics.Channel(channel));
            LogLost(channel, lost, options.StreamMaxLength);
        }
        else if (cursor.Added is null && StreamIds.Compare(info.MaxDeletedEntryId.ToString(), lastId) > 0)
        {
            EventBusMetrics.Lost.Add(1, EventBusMetrics.Channel(channel));
            LogLost(channel, 1, options.StreamMaxLength);
        }

        cursor.LastId = info.FirstEntry.Id.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the durable stream {Channel} failed ({Reason}); retrying")]
    private partial void LogReadFailed(string channel, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost {Count} events of the durable channel {Channel}: the stream was trimmed to about {MaxLength} entries before this node read them (raise modules.eventbus.stream_max_length)")]
    private partial void LogLost(string channel, long count, int maxLength);

    /// <summary>Where this node's group stands: the last entry it read and how many entries the stream had seen up to it.</summary>
    private sealed class ReadCursor
    {
        public string? LastId { get; set; }

        public long? Added { get; set; }

        public void Read(RedisValue last, int count)
        {
            LastId = last.ToString();
            Added += count;
        }
    }
}
