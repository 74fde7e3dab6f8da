using System.Diagnostics;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>
/// The peer of the event figures: StackExchange.Redis alone against the mesh's Redis, one connection publishing and
/// another subscribed, both in this runner; no envelope, no JSON, no HTTP.
/// </summary>
internal sealed class BarePubSub : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _publisher;
    private readonly ConnectionMultiplexer _subscriber;
    private readonly RedisChannel _channel;
    private TaskCompletionSource<long>? _waiting;
    private string _expected = "";

    private BarePubSub(ConnectionMultiplexer publisher, ConnectionMultiplexer subscriber, string channel)
    {
        (_publisher, _subscriber, _channel) = (publisher, subscriber, RedisChannel.Literal(channel));
    }

    public static async Task<BarePubSub> ConnectAsync(string configuration, string channel)
    {
        var publisher = await ConnectionMultiplexer.ConnectAsync(configuration);
        var subscriber = await ConnectionMultiplexer.ConnectAsync(configuration);
        var bare = new BarePubSub(publisher, subscriber, channel);
        await subscriber.GetSubscriber().SubscribeAsync(bare._channel, (_, message) =>
        {
            var at = Stopwatch.GetTimestamp();
            if (bare._waiting is { } waiting && message == bare._expected)
            {
                waiting.TrySetResult(at);
            }
        });
        return bare;
    }

    /// <summary>Publish one message and wait until the subscribed connection has it: the round trip in ms.</summary>
    public async Task<double> RoundTripAsync(string message, CancellationToken ct)
    {
        _expected = message;
        _waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        await _publisher.GetSubscriber().PublishAsync(_channel, message);
        var at = await _waiting.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);
        return Percentile.Ms(start, at);
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.CloseAsync();
        await _subscriber.CloseAsync();
        _publisher.Dispose();
        _subscriber.Dispose();
    }
}
