using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.TestKit;
using StackExchange.Redis;

namespace AuroraNode.Tests.EventBus;

/// <summary>Events between real node processes: a lead (running the mesh's Redis) and a compute node.</summary>
[NonParallelizable]
public sealed class MeshEventsTests
{
    private TempDirectory _temp = null!;
    private Mesh _mesh = null!;
#pragma warning disable NUnit1032 // Replaced when a test restarts the node; the last one is disposed in StopMesh.
    private NodeProcess _compute = null!;
#pragma warning restore NUnit1032

    [OneTimeSetUp]
    public async Task StartMesh()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp);
        _compute = await _mesh.AddAsync("compute1", "compute");
    }

    [OneTimeTearDown]
    public async Task StopMesh()
    {
        // Null when the set-up failed halfway: stop what did start.
        if (_compute is not null)
        {
            await _compute.DisposeAsync();
        }

        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Test]
    public async Task GlobalEvent_PublishedOverHttpOnTheLead_ReachesTheComputeNodeAndTheLeadOnce()
    {
        var id = await PublishAsync(_mesh.Lead, "aurora:events:global", "deploy_done", new { version = "1.2.3" });

        var seen = await WaitForAsync(_compute, id);
        Assert.That(seen.GetProperty("event").GetProperty("source_node").GetString(), Is.EqualTo("lead"));
        Assert.That(seen.GetProperty("event").GetProperty("data").GetProperty("version").GetString(), Is.EqualTo("1.2.3"));
        await Task.Delay(300);
        Assert.That((await RecentAsync(_mesh.Lead)).Count(e => Id(e) == id), Is.EqualTo(1), "the lead got its own event once, in-process");
    }

    [Test]
    public async Task RoleAndNodeChannels_PublishedByAnyRedisClient_ReachExactlyTheirMembers()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisOptions());
        var forCompute = Envelope("for_compute");
        var forLead = Envelope("for_lead");
        var marker = Envelope("marker");

        // One connection publishes in order, so once the marker arrives the others have arrived if they ever will.
        var sub = redis.GetSubscriber();
        await sub.PublishAsync(RedisChannel.Literal("aurora:events:role:compute"), forCompute.Json);
        await sub.PublishAsync(RedisChannel.Literal("aurora:events:node:lead"), forLead.Json);
        await sub.PublishAsync(RedisChannel.Literal("aurora:events:global"), marker.Json);
        await WaitForAsync(_compute, marker.Id);
        await WaitForAsync(_mesh.Lead, marker.Id);

        var onCompute = (await RecentAsync(_compute)).Select(Id).ToList();
        var onLead = (await RecentAsync(_mesh.Lead)).Select(Id).ToList();
        Assert.That(onCompute, Does.Contain(forCompute.Id).And.Not.Contain(forLead.Id));
        Assert.That(onLead, Does.Contain(forLead.Id).And.Not.Contain(forCompute.Id));
    }

    [Test]
    public async Task DurableEvent_PublishedWhileTheNodeIsDown_ArrivesWhenItRestarts()
    {
        Assert.That(await _compute.StopAsync(), Is.Zero);

        var id = await PublishAsync(_mesh.Lead, "aurora:system:alert", "disk_full", new { node = "lead", percent = 93 });
        _compute = new NodeProcess(_compute.Config);
        await _compute.StartAndWaitReadyAsync();

        var seen = await WaitForAsync(_compute, id);
        Assert.That(seen.GetProperty("channel").GetString(), Is.EqualTo("aurora:system:alert"));
    }

    [Test]
    public async Task RedisKilled_DurableEventPublishedMeanwhile_IsDeliveredAfterReconnect()
    {
        var redisPid = (await _mesh.Lead.ModuleAsync("redis")).GetProperty("data").GetProperty("pid").GetInt32();
        Posix.Kill(redisPid, Posix.SigKill);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var sawNotReady = false;
        while (!sawNotReady && DateTime.UtcNow < until)
        {
            sawNotReady = !await _mesh.Lead.IsReadyAsync();
            await Task.Delay(20);
        }

        Assert.That(sawNotReady, Is.True, "the lead reports not ready while its Redis is down");

        var id = await PublishAsync(_mesh.Lead, "aurora:ai:task", "render", new { prompt = "a cat" });

        await WaitForAsync(_compute, id, TimeSpan.FromSeconds(45));
        var after = await PublishAsync(_mesh.Lead, "aurora:events:global", "after_reconnect", new { });
        await WaitForAsync(_compute, after);
    }

    [Test]
    public async Task Stream_SendsEventsAsServerSentEvents()
    {
        using var http = OperatorSigning.Client(_compute.Config, Timeout.InfiniteTimeSpan);
        using var response = await http.GetAsync("/api/v1/events/stream?channels=aurora:events:global", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.That(await reader.ReadLineAsync(), Does.StartWith(": listening to aurora:events:global"));

        var id = await PublishAsync(_mesh.Lead, "aurora:events:global", "sse_check", new { n = 1 });

        // The nodes' heartbeats share the channel: read until ours.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        JsonElement envelope;
        do
        {
            string? line;
            while ((line = await reader.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("data: ", StringComparison.Ordinal))
            {
            }

            envelope = JsonDocument.Parse(line![6..]).RootElement;
        }
        while (envelope.GetProperty("id").GetString() != id);

        Assert.That(envelope.GetProperty("type").GetString(), Is.EqualTo("sse_check"));
    }

    [Test]
    public async Task EventsTailCommand_PrintsEachEventAsJson()
    {
        using var tail = Process.Start(Executable.StartInfo("events", "tail", "aurora:events:global", "--config", _compute.Config.Path, "--json"))!;
        try
        {
            // Publish until the CLI, once started and subscribed, prints one of them (among the nodes' heartbeats).
            var published = new List<string>();
            var printed = new List<string>();
            var read = tail.StandardOutput.ReadLineAsync();
            for (var i = 0; i < 60 && !printed.Any(published.Contains); i++)
            {
                published.Add(await PublishAsync(_mesh.Lead, "aurora:events:global", "tail_check", new { n = i }));
                while (await Task.WhenAny(read, Task.Delay(300)) == read && await read is { } line)
                {
                    printed.Add(JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!);
                    read = tail.StandardOutput.ReadLineAsync();
                }
            }

            Assert.That(printed.Intersect(published), Is.Not.Empty);
        }
        finally
        {
            tail.Kill();
            await tail.WaitForExitAsync();
        }
    }

    [TestCase("not-a-channel", "{\"type\":\"x\"}", "not a channel name")]
    [TestCase("aurora:events:global", "{\"data\":{}}", "needs a \\\"type\\\"")]
    [TestCase("aurora:events:global", "{not json", "")]
    public async Task Publish_BadRequest_Is400ProblemJson(string channel, string body, string message)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _mesh.Lead.Http.PostAsync($"/api/v1/events/{channel}", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(message));
    }

    private ConfigurationOptions RedisOptions() => new()
    {
        EndPoints = { { "127.0.0.1", _mesh.Lead.Config.RedisPort } },
        Password = Mesh.Credentials(_mesh.Lead)["redis.password"],
    };

    private static (string Id, string Json) Envelope(string type)
    {
        var id = Guid.NewGuid().ToString("N");
        return (id, JsonSerializer.Serialize(new { id, type, source_node = "test-tool", timestamp = DateTimeOffset.UtcNow, data = new { } }));
    }

    internal static async Task<string> PublishAsync(NodeProcess node, string channel, string type, object data)
    {
        using var response = await node.Http.PostAsJsonAsync($"/api/v1/events/{channel}", new { type, data });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<List<JsonElement>> RecentAsync(NodeProcess node) =>
        (await node.GetJsonAsync("/api/v1/events/recent")).EnumerateArray().ToList();

    private static string? Id(JsonElement seen) => seen.GetProperty("event").GetProperty("id").GetString();

    internal static async Task<JsonElement> WaitForAsync(NodeProcess node, string id, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < until)
        {
            try
            {
                if ((await RecentAsync(node)).FirstOrDefault(e => Id(e) == id) is { ValueKind: JsonValueKind.Object } seen)
                {
                    return seen;
                }
            }
            catch (HttpRequestException)
            {
                // Restarting.
            }

            await Task.Delay(50);
        }

        Assert.Fail($"event {id} never reached {node.Config.Name}:\n{node.Output}");
        throw new UnreachableException();
    }
}
