using System.Diagnostics;
using System.Net.Http.Json;

namespace AuroraNode.Tests.Router;

/// <summary>The "long" model has one slot and room for one waiting request; a long generation holds the slot for seconds.</summary>
public sealed class QueueTests
{
    [Test]
    public async Task Generate_QueueFull_Answers503WithRetryAfter()
    {
        using var holder = await StartLongAsync();
        using var waiting = new CancellationTokenSource();
        var queued = RouterNode.Http.PostAsJsonAsync("/api/generate", LongRequest(), waiting.Token);
        await Task.Delay(500);

        var (status, body, response) = await RouterNode.PostAsync("/api/generate", LongRequest());

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(503), body);
            Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(RouterNode.Json(body).GetProperty("error").GetString(), Does.Contain("queue_limit"));
            Assert.That(queued.IsCompleted, Is.False, "the second request waits for the slot");
        });
        await waiting.CancelAsync();
        await Assert.CatchAsync<OperationCanceledException>(async () => await queued);
    }

    [Test]
    public async Task Generate_ClientCancelsMidStream_FreesTheSlotAtOnce()
    {
        var holder = await StartLongAsync();
        var line = await holder.Reader.ReadLineAsync();
        Assert.That(RouterNode.Json(line!).GetProperty("done").GetBoolean(), Is.False);
        holder.Dispose();

        var started = Stopwatch.StartNew();
        var (status, body, _) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Long, prompt = "Hello", stream = false, options = RouterNode.Greedy(4) });
        var took = started.Elapsed;

        // What the request spent waiting for the slot: its wall time less the generation the node reports.
        Assert.That(status, Is.EqualTo(200), body);
        var generation = TimeSpan.FromTicks(RouterNode.Json(body).GetProperty("total_duration").GetInt64() / 100);
        var waited = took - generation;
        TestContext.Out.WriteLine($"next request: {took.TotalMilliseconds:F0} ms, of which generation {generation.TotalMilliseconds:F0} ms, waiting {waited.TotalMilliseconds:F0} ms");
        Assert.That(waited, Is.LessThan(TimeSpan.FromSeconds(1)), "the cancelled generation (8000 tokens) still held the slot");
    }

    private static object LongRequest() => new { model = RouterNode.Long, prompt = "Hello world", options = RouterNode.Greedy(8000) };

    // A streaming generation of thousands of tokens that holds the only slot; disposing it disconnects.
    private static async Task<Holder> StartLongAsync()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate") { Content = JsonContent.Create(LongRequest()) };
        var response = await RouterNode.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await ErrorOf(response));
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        return new Holder(response, reader);
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync();

    private sealed record Holder(HttpResponseMessage Response, StreamReader Reader) : IDisposable
    {
        public void Dispose()
        {
            Reader.Dispose();
            Response.Dispose();
        }
    }
}
