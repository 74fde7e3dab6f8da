using System.Net;
using System.Net.Http.Headers;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>Publishes a fixed number of events with a fixed number in flight: over a node's HTTP API, or straight into Redis.</summary>
internal static class EventLoad
{
    public const int InFlight = 16;

    private static readonly byte[] Body = """{"type":"bench_throughput","data":{"source":"bench-runner","payload":"0123456789abcdef0123456789abcdef"}}"""u8.ToArray();

    /// <summary>POST /api/v1/events/{channel} <paramref name="count"/> times; every answer must be 202.</summary>
    public static async Task PostAsync(HttpClient nodeApi, string channel, int count, CancellationToken ct)
    {
        var next = 0;
        var refused = 0;
        string? firstRefusal = null;
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                using var content = new ByteArrayContent(Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await nodeApi.PostAsync($"/api/v1/events/{channel}", content, ct);
                if (response.StatusCode != HttpStatusCode.Accepted && Interlocked.Increment(ref refused) == 1)
                {
                    firstRefusal = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
                }
            }
        }));
        if (refused > 0)
        {
            throw new BenchException($"{refused} of {count} POSTs to /api/v1/events/{channel} were not accepted; the first: {firstRefusal}");
        }
    }

    /// <summary>PUBLISH <paramref name="count"/> envelope-sized messages on <paramref name="channel"/>.</summary>
    public static async Task PublishAsync(IConnectionMultiplexer redis, string channel, int count)
    {
        var message = EventProbe.Envelope("00000000");
        var subscriber = redis.GetSubscriber();
        var target = RedisChannel.Literal(channel);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                await subscriber.PublishAsync(target, message);
            }
        }));
    }
}
