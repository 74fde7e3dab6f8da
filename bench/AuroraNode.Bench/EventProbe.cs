using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>
/// Sends one event at a time to a node's event stream and times its arrival there: published with
/// <c>POST /api/v1/events/{channel}</c> on another node, or written straight into Redis as an envelope.
/// </summary>
internal sealed class EventProbe(HttpClient publisherApi, IConnectionMultiplexer redis, SseListener receiver, string channel)
{
    private TaskCompletionSource<long>? _waiting;
    private string _expected = "";

    public void Attach() => receiver.OnEvent = (id, at) =>
    {
        if (id == _expected)
        {
            _waiting?.TrySetResult(at);
        }
    };

    /// <summary>POST on the publishing node → the event's data line on the receiver: (whole path, the POST's answer) in ms.</summary>
    public async Task<(double Delivered, double Posted)> ViaHttpAsync(string id, CancellationToken ct)
    {
        var waiting = Expect(id);
        var start = Stopwatch.GetTimestamp();
        using var response = await publisherApi.PostAsJsonAsync($"/api/v1/events/{channel}", new { type = "bench_latency", id, data = new { probe = id } }, ct);
        var posted = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new BenchException($"POST /api/v1/events/{channel} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        return (Percentile.Ms(start, await WaitAsync(waiting, id, ct)), Percentile.Ms(start, posted));
    }

    /// <summary>PUBLISH of an envelope by this runner → the event's data line on the receiver, in ms: the receiving node's part.</summary>
    public async Task<double> ViaRedisAsync(string id, CancellationToken ct)
    {
        var waiting = Expect(id);
        var json = Envelope(id);
        var start = Stopwatch.GetTimestamp();
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), json);
        return Percentile.Ms(start, await WaitAsync(waiting, id, ct));
    }

    /// <summary>An envelope as a node writes it, from a publisher named bench-runner.</summary>
    public static string Envelope(string id) =>
        $$$"""{"id":"{{{id}}}","type":"bench_latency","source_node":"bench-runner","timestamp":"{{{DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)}}}","data":{"probe":"{{{id}}}"}}""";

    private Task<long> Expect(string id)
    {
        _expected = id;
        _waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _waiting.Task;
    }

    private async Task<long> WaitAsync(Task<long> waiting, string id, CancellationToken ct)
    {
        try
        {
            return await waiting.WaitAsync(TimeSpan.FromSeconds(5), ct);
        }
        catch (TimeoutException)
        {
            throw new BenchException($"event {id} on {channel} did not reach the receiving node's event stream within 5 s");
        }
    }
}
