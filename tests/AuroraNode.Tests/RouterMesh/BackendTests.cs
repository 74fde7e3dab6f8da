using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>
/// One node fronting three servers: "ol", an Ollama one with model "m"; "oa", an OpenAI-compatible one with model
/// "o"; and "down", configured with model "x" at a port where nothing listens.
/// </summary>
[NonParallelizable]
public sealed partial class BackendTests
{
    private TempDirectory temp = null!;
    private TestKit.Mesh mesh = null!;
    private SlowBackend ollama = null!;
    private SlowBackend openAi = null!;

    private NodeProcess Node => mesh.Lead;

    [OneTimeSetUp]
    public async Task StartNode()
    {
        temp = new TempDirectory();
        ollama = await SlowBackend.StartAsync("m", TimeSpan.FromMilliseconds(5));
        openAi = await SlowBackend.StartAsync("o", TimeSpan.FromMilliseconds(5));
        openAi.OpenAiNamesOnly = true;
        var router = $"router:\n  llama:\n    library_dir: {LlamaTestLibrary.Directory}\n  backends:\n" +
            ollama.BackendEntry("ol", "ollama") + "\n" + openAi.BackendEntry("oa", "openai") + "\n" +
            $"    down:\n      url: http://127.0.0.1:{FreePort.Next()}\n      models: [x]";
        mesh = await TestKit.Mesh.StartAsync(temp, c => c.Sections["modules"] = NodeConfigFile.ShortRegistryIntervals + "\n" + router);
    }

    [OneTimeTearDown]
    public async Task StopNode()
    {
        if (mesh is not null)
        {
            await mesh.DisposeAsync();
        }

        foreach (var backend in new[] { ollama, openAi })
        {
            if (backend is not null)
            {
                await backend.DisposeAsync();
            }
        }

        temp.Dispose();
    }

    [Test]
    public async Task Tags_ListTheServersModels_AsTheNodesOwn()
    {
        var names = new List<string>();
        for (var i = 0; i < 100 && !names.Contains("o:latest"); i++)
        {
            // The servers' own lists are asked for at start: wait for the first answer.
            var tags = await Node.GetJsonAsync("/api/tags");
            names = tags.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToList();
            await Task.Delay(100);
        }

        var models = await Node.GetJsonAsync("/v1/models");

        Assert.That(names, Is.SupersetOf(new[] { "m:latest", "o:latest", "x:latest" }));
        Assert.That(models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()), Is.SupersetOf(new[] { "m:latest", "o:latest" }));
    }

    [Test]
    public async Task OllamaServer_ChatStreams_NdjsonPassesThrough()
    {
        using var response = await Node.Http.PostAsJsonAsync("/api/chat", new { model = "m", messages = new[] { new { role = "user", content = "hi" } }, options = new { num_predict = 3 } });
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("lead"));
            Assert.That(response.Headers.GetValues("X-Aurora-Estimate-Ms").Single(), Does.Match("^[0-9]+$"));
            Assert.That(string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString())), Is.EqualTo("t0 t1 t2 "));
            Assert.That(lines[^1].GetProperty("eval_count").GetInt32(), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task OpenAiServer_ChatCompletionsStream_SsePassesThrough_AndOneJsonToo()
    {
        await WaitForModelAsync("o");
        using var streamed = await Node.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "o", messages = new[] { new { role = "user", content = "hi" } }, stream = true, max_tokens = 3 });
        var sse = await streamed.Content.ReadAsStringAsync();
        using var whole = await Node.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "o", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 3 });
        var json = JsonDocument.Parse(await whole.Content.ReadAsStringAsync()).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That((int)streamed.StatusCode, Is.EqualTo(200), sse);
            Assert.That(streamed.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(sse, Does.Contain("\"content\":\"t2 \"").And.EndWith("data: [DONE]\n\n"));
            Assert.That(json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), Is.EqualTo("t0 t1 t2 "));
            Assert.That(whole.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("lead"));
        });
    }

    [Test]
    public async Task ServerDown_AnswersWithItsNameAndAddress()
    {
        using var response = await Node.Http.PostAsJsonAsync("/api/generate", new { model = "x", prompt = "hi" });
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(502), body);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), Does.Contain("backend down at http://127.0.0.1:"));
    }

    [Test]
    public async Task Load_RequestHoldingASlot_PublishesItsRemainingWorkAsBacklog_NoneOnceItEnds()
    {
        await WaitForModelAsync("m");
        ollama.Hold();
        double during;
        var seen = ollama.Requests;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate") { Content = JsonContent.Create(new { model = "m", prompt = "hi", options = new { num_predict = 4000 } }) };
        var sending = Node.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        try
        {
            // 4000 tokens at any speed measured here take seconds: the backlog cannot run out while the test looks.
            for (var i = 0; i < 100 && ollama.Requests == seen; i++)
            {
                await Task.Delay(50);
            }

            during = Backlog(await Node.GetJsonAsync("/api/v1/router/load"), "m");
        }
        finally
        {
            ollama.Release();
        }

        // The client goes away once the answer starts: the node ends the request.
        (await sending).Dispose();
        var after = during;
        for (var i = 0; i < 100 && after > 0; i++)
        {
            await Task.Delay(50);
            after = Backlog(await Node.GetJsonAsync("/api/v1/router/load"), "m");
        }

        Assert.Multiple(() =>
        {
            Assert.That(during, Is.GreaterThan(1000), "a request of 4000 tokens holds its slot");
            Assert.That(after, Is.Zero, "nothing runs or waits any more");
        });
    }

    [Test]
    public async Task NodeStatus_RouterModule_NamesItsServersAndStrategy()
    {
        var data = (await Node.ModuleAsync("router")).GetProperty("data");

        Assert.Multiple(() =>
        {
            Assert.That(data.GetProperty("strategy").GetString(), Is.EqualTo("fastest"));
            Assert.That(data.GetProperty("backends").EnumerateArray().Select(b => b.GetProperty("name").GetString()), Is.EquivalentTo(new[] { "ol", "oa", "down" }));
        });
    }

    private static double Backlog(JsonElement load, string model) =>
        load.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == model).GetProperty("backlog_ms").GetDouble();

    private async Task WaitForModelAsync(string model)
    {
        for (var i = 0; i < 100; i++)
        {
            var load = await Node.GetJsonAsync("/api/v1/router/load");
            if (load.GetProperty("models").EnumerateArray().Any(m => m.GetProperty("model").GetString() == model))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"model {model} not listed by its server within 10 s");
    }
}
