using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>
/// Routing across three node processes, each fronting a slowed test backend with model "m": the lead's 60 ms per
/// token, n2's 10 ms (the fastest) and n3's 120 ms, which claims a GPU (so the prior favours it wrongly). n2 also has
/// the tiny GGUF model, on real llama.cpp; n3 also serves "o" through its backend's OpenAI API. Requests go to the lead. Each test runs after the one above it (the first sees no measured speeds yet; the last kills n2).
/// </summary>
[NonParallelizable]
public sealed class RouterMeshTests
{
    private const string Model = "m";
    private const int Tokens = 6;

    // Fronted on n3 as an OpenAI-compatible server's model: nobody publishes a size, digest or details for it.
    private const string NoDigestModel = "o";

    private TempDirectory temp = null!;
    private TestKit.Mesh mesh = null!;
    private SlowBackend leadBackend = null!;
    private SlowBackend fastBackend = null!;
    private SlowBackend slowBackend = null!;
    private NodeProcess n2 = null!;
    private NodeProcess n3 = null!;

    private NodeProcess Lead => mesh.Lead;

    [OneTimeSetUp]
    public async Task StartMesh()
    {
        temp = new TempDirectory();
        leadBackend = await SlowBackend.StartAsync(Model, TimeSpan.FromMilliseconds(60));
        fastBackend = await SlowBackend.StartAsync(Model, TimeSpan.FromMilliseconds(10));
        slowBackend = await SlowBackend.StartAsync(Model, TimeSpan.FromMilliseconds(120));
        mesh = await TestKit.Mesh.StartAsync(temp, c => c.Sections["modules"] = Modules(c, leadBackend.BackendSection("ollama")));
        n2 = await mesh.AddAsync("n2", "compute", c =>
        {
            var models = Path.Combine(c.DataDir, "models");
            Directory.CreateDirectory(models);
            TinyGguf.Write(Path.Combine(models, "tiny.gguf"));
            c.Sections["modules"] = Modules(c, fastBackend.BackendSection("ollama"));
        });
        n3 = await mesh.AddAsync("n3", "compute", c => c.Sections["modules"] = Modules(
            c, slowBackend.BackendSection("ollama", gpu: true) + "\n" + slowBackend.BackendEntry("oa", "openai", models: [NoDigestModel])));

        // Every node has heard from the others.
        foreach (var node in new[] { Lead, n2, n3 })
        {
            await WaitForAsync(node, s => Nodes(s).Count(n => Models(n).Contains(Model)) == 3, "all three nodes with model m");
        }

        // The lead has measured its round trips to the others (their first answers, from cold processes, are not the network's delay).
        await WaitForAsync(Lead, s => Nodes(s).All(n => n.GetProperty("rtt_ms").ValueKind == JsonValueKind.Number), "round trips measured");
    }

    [OneTimeTearDown]
    public async Task StopMesh()
    {
        if (mesh is not null)
        {
            await mesh.DisposeAsync();
        }

        foreach (var backend in new[] { leadBackend, fastBackend, slowBackend })
        {
            if (backend is not null)
            {
                await backend.DisposeAsync();
            }
        }

        temp.Dispose();
    }

    [Test]
    public async Task Fastest_PriorWrong_LearnsTheRealSpeedsAndSendsWorkToTheFastest()
    {
        var served = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var answer = await GenerateAsync(Lead, Model);
            Assert.That(answer.Status, Is.EqualTo(200), answer.Body);
            Assert.That(answer.Estimate, Is.GreaterThan(0), "X-Aurora-Estimate-Ms");
            served.Add(answer.Node);
        }

        TestContext.Out.WriteLine("served by: " + string.Join(", ", served));
        Assert.Multiple(() =>
        {
            Assert.That(served[0], Is.EqualTo("n3"), "the prior (a GPU) makes n3 look fastest before anything is measured");
            Assert.That(served.Skip(1), Has.No.Member("n3"), "after one request n3 is known to be slow");
            Assert.That(served.TakeLast(4), Is.All.EqualTo("n2"), "the fastest node once every node is measured");
        });

        var status = await Lead.GetJsonAsync("/api/gpu/status");
        var speeds = Nodes(status).ToDictionary(n => n.GetProperty("name").GetString()!, n => ModelEntry(n, Model).GetProperty("generation_tokens_per_second").GetDouble());
        Assert.That(speeds["n2"], Is.GreaterThan(speeds["lead"]), "measured tokens/s: n2 faster than the lead");
        Assert.That(speeds["lead"], Is.GreaterThan(speeds["n3"]).And.GreaterThan(0), "measured tokens/s: the lead faster than n3");
    }

    [Test]
    [DependsOnTest(nameof(Fastest_PriorWrong_LearnsTheRealSpeedsAndSendsWorkToTheFastest), AllowFailure = true)]
    public async Task ModelOnAnotherNode_IsForwardedThere_NdjsonAndSseStreamedThrough()
    {
        var options = new { temperature = 0, seed = 7, num_predict = 12 };
        using var ndjson = await Lead.Http.PostAsJsonAsync("/api/generate", new { model = "tiny", prompt = "Hello world, the", options });
        var ndjsonBody = await ndjson.Content.ReadAsStringAsync();
        using var direct = await n2.Http.PostAsJsonAsync("/api/generate", new { model = "tiny", prompt = "Hello world, the", stream = false, options });
        var directBody = await direct.Content.ReadAsStringAsync();
        using var sse = await Lead.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "tiny", messages = new[] { new { role = "user", content = "Hi" } }, stream = true, max_tokens = 8, temperature = 0 });
        var sseBody = await sse.Content.ReadAsStringAsync();

        Assert.That((int)ndjson.StatusCode, Is.EqualTo(200), ndjsonBody);
        Assert.That((int)sse.StatusCode, Is.EqualTo(200), sseBody);
        var lines = ndjsonBody.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var events = sseBody.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ndjson.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("n2"));
            Assert.That(ndjson.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
            Assert.That(lines.Count, Is.GreaterThan(2));
            Assert.That(lines[^1].GetProperty("done").GetBoolean(), Is.True);
            Assert.That(lines[^1].GetProperty("eval_count").GetInt32(), Is.EqualTo(12));
            Assert.That(string.Concat(lines.Select(l => l.GetProperty("response").GetString())), Is.EqualTo(JsonDocument.Parse(directBody).RootElement.GetProperty("response").GetString()));
            Assert.That(sse.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("n2"));
            Assert.That(sse.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(events.All(e => e.StartsWith("data: ", StringComparison.Ordinal)), Is.True, sseBody);
            Assert.That(events[^1], Is.EqualTo("data: [DONE]"));
            Assert.That(sse.Headers.GetValues("X-Aurora-Estimate-Ms").Single(), Does.Match("^[0-9]+$"));
        });
    }

    [Test]
    [DependsOnTest(nameof(ModelOnAnotherNode_IsForwardedThere_NdjsonAndSseStreamedThrough), AllowFailure = true)]
    public async Task ForwardedRequest_IsServedWhereItArrives_NeverForwardedAgain()
    {
        var before = leadBackend.Requests;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = JsonContent.Create(new { model = Model, prompt = "p", stream = false, options = new { num_predict = Tokens } }),
        };
        request.Headers.Add("X-Aurora-Forwarded-By", "n3");

        using var response = await Lead.Http.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("lead"), "n2 is faster, but a forwarded request stays");
            Assert.That(response.Headers.GetValues("X-Aurora-Route").Single(), Is.EqualTo("forwarded by n3"));
            Assert.That(leadBackend.Requests, Is.EqualTo(before + 1));
        });
    }

    [Test]
    [DependsOnTest(nameof(ForwardedRequest_IsServedWhereItArrives_NeverForwardedAgain), AllowFailure = true)]
    public async Task Tags_ModelOnlyOnAPeer_ShowItsSizeAndDigest_AndABackendsDetails()
    {
        var own = Tag(await n2.GetJsonAsync("/api/tags"), "tiny:latest");
        var file = new FileInfo(Path.Combine(n2.Config.DataDir, "models", "tiny.gguf"));
        JsonElement seen = default;
        for (var i = 0; i < 50; i++)
        {
            // Until n2 has hashed the file (in the background, after its first load figure) it publishes the provisional digest.
            seen = Tag(await Lead.GetJsonAsync("/api/tags"), "tiny:latest");
            if (seen.GetProperty("digest").GetString() == own.GetProperty("digest").GetString())
            {
                break;
            }

            await Task.Delay(100);
        }

        var backendModel = Tag(await n3.GetJsonAsync("/api/tags"), "m:latest");
        Assert.Multiple(() =>
        {
            Assert.That(seen.GetProperty("size").GetInt64(), Is.EqualTo(file.Length).And.GreaterThan(0), "the lead has no file of its own");
            Assert.That(seen.GetProperty("digest").GetString(), Is.EqualTo(own.GetProperty("digest").GetString()));
            Assert.That(seen.GetProperty("modified_at").GetDateTime(), Is.EqualTo(own.GetProperty("modified_at").GetDateTime()));
            Assert.That(backendModel.GetProperty("size").GetInt64(), Is.EqualTo(slowBackend.Size), "an Ollama server's own figures");
            Assert.That(backendModel.GetProperty("digest").GetString(), Is.EqualTo(slowBackend.Digest));
            Assert.That(backendModel.GetProperty("details").GetProperty("family").GetString(), Is.EqualTo("llama"));
            Assert.That(backendModel.GetProperty("details").GetProperty("quantization_level").GetString(), Is.EqualTo("Q4_K_M"));
        });
    }

    [Test]
    [DependsOnTest(nameof(Tags_ModelOnlyOnAPeer_ShowItsSizeAndDigest_AndABackendsDetails), AllowFailure = true)]
    public async Task Tags_ModelOnlyOnAPeerNotLoadedThere_ShowsTheDetailsOfItsGgufHeader()
    {
        // Like Ollama: an empty prompt with keep_alive 0 unloads the model (the tests above ran it on n2).
        using (var unload = await n2.Http.PostAsJsonAsync("/api/generate", new { model = "tiny", keep_alive = 0 }))
        {
            Assert.That((int)unload.StatusCode, Is.EqualTo(200), await unload.Content.ReadAsStringAsync());
        }

        var loadedOnN2 = (await n2.GetJsonAsync("/api/ps")).GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();
        var own = Tag(await n2.GetJsonAsync("/api/tags"), "tiny:latest").GetProperty("details");
        var seen = Tag(await Lead.GetJsonAsync("/api/tags"), "tiny:latest").GetProperty("details");
        Assert.Multiple(() =>
        {
            Assert.That(loadedOnN2, Does.Not.Contain("tiny:latest"), "n2 has not loaded the model: the details come from its file's header");
            Assert.That(own.GetProperty("family").GetString(), Is.EqualTo("llama"));
            Assert.That(own.GetProperty("parameter_size").GetString(), Is.Not.Empty);
            Assert.That(own.GetProperty("quantization_level").GetString(), Is.Not.Empty);
            foreach (var field in new[] { "family", "parameter_size", "quantization_level" })
            {
                Assert.That(seen.GetProperty(field).GetString(), Is.EqualTo(own.GetProperty(field).GetString()), $"the lead lists n2's {field}");
            }

            Assert.That(seen.GetProperty("families").EnumerateArray().Select(f => f.GetString()), Is.EqualTo(new[] { "llama" }));
        });
    }

    [Test]
    [DependsOnTest(nameof(Tags_ModelOnlyOnAPeerNotLoadedThere_ShowsTheDetailsOfItsGgufHeader), AllowFailure = true)]
    public async Task Tags_ModelNoNodeKnowsADigestOf_SameDigestFromItsNameOnEveryNode()
    {
        var name = NoDigestModel + ":latest";
        JsonElement? seen = null;
        for (var i = 0; i < 50 && seen is null; i++)
        {
            seen = (await Lead.GetJsonAsync("/api/tags")).GetProperty("models").EnumerateArray().Where(m => m.GetProperty("name").GetString() == name).Cast<JsonElement?>().FirstOrDefault();
            await Task.Delay(seen is null ? 100 : 0);
        }

        Assert.That(seen, Is.Not.Null, $"the lead lists n3's {name}");
        var own = Tag(await n3.GetJsonAsync("/api/tags"), name);
        var served = Tag(await Lead.GetJsonAsync("/api/tags"), Model + ":latest");
        var fromName = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("aurora-node model without digest\n" + NoDigestModel)));
        Assert.Multiple(() =>
        {
            // Ollama's own `ollama list` cuts the first 12 characters of every digest: an empty one breaks it.
            Assert.That(own.GetProperty("digest").GetString(), Does.Match("^[0-9a-f]{64}$"), "n3 lists its server's model");
            Assert.That(own.GetProperty("digest").GetString(), Is.EqualTo(fromName), "as README's Digests entry says");
            Assert.That(seen!.Value.GetProperty("digest").GetString(), Is.EqualTo(fromName), "the lead lists the same");
            Assert.That(served.GetProperty("digest").GetString(), Is.AnyOf(leadBackend.Digest, fastBackend.Digest, slowBackend.Digest), "a digest a server gives still wins");
        });
    }

    [Test]
    [DependsOnTest(nameof(Tags_ModelNoNodeKnowsADigestOf_SameDigestFromItsNameOnEveryNode), AllowFailure = true)]
    public async Task GpuGenerate_AnswersInOnePiece_AndGpuStatusListsEveryNode()
    {
        using var response = await Lead.Http.PostAsJsonAsync("/api/gpu/generate", new { model = Model, prompt = "p", options = new { num_predict = Tokens } });
        var body = await response.Content.ReadAsStringAsync();
        var status = await Lead.GetJsonAsync("/api/gpu/status");
        var queue = await Lead.GetJsonAsync("/api/gpu/queue");

        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        var answer = JsonDocument.Parse(body).RootElement;
        var n2Entry = ModelEntry(Nodes(status).Single(n => n.GetProperty("name").GetString() == "n2"), Model);
        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("done").GetBoolean(), Is.True);
            Assert.That(answer.GetProperty("response").GetString(), Is.EqualTo("t0 t1 t2 t3 t4 t5 "));
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("n2"));
            Assert.That(status.GetProperty("node").GetString(), Is.EqualTo("lead"));
            Assert.That(status.GetProperty("strategy").GetString(), Is.EqualTo("fastest"));
            Assert.That(Nodes(status).Select(n => n.GetProperty("name").GetString()), Is.EquivalentTo(new[] { "lead", "n2", "n3" }));
            Assert.That(Nodes(status).Single(n => n.GetProperty("name").GetString() == "n2").GetProperty("url").GetString(), Is.EqualTo(n2.Config.ApiUrl));
            Assert.That(n2Entry.GetProperty("slots").GetInt32(), Is.EqualTo(1));
            Assert.That(n2Entry.GetProperty("measured").GetBoolean(), Is.True);
            Assert.That(Models(Nodes(status).Single(n => n.GetProperty("name").GetString() == "n2")), Does.Contain("tiny"));
            Assert.That(queue.GetProperty("nodes").GetArrayLength(), Is.EqualTo(3));
            Assert.That(queue.GetProperty("queue_depth").GetInt32(), Is.Zero);
        });
    }

    [Test]
    [DependsOnTest(nameof(GpuGenerate_AnswersInOnePiece_AndGpuStatusListsEveryNode), AllowFailure = true)]
    public async Task Fastest_QueueGrowsOnTheFastest_WorkShiftsAway()
    {
        await UntilServedByAsync("n2");
        fastBackend.Hold();
        var held = new List<Task<Answer>>();
        Answer? elsewhere = null;
        try
        {
            for (var i = 0; i < 8 && elsewhere is null; i++)
            {
                var sent = GenerateAsync(Lead, Model);
                var done = await Task.WhenAny(sent, Task.Delay(TimeSpan.FromSeconds(2)));
                if (done == sent)
                {
                    elsewhere = await sent;
                }
                else
                {
                    held.Add(sent);
                }
            }

            var queue = await Lead.GetJsonAsync("/api/gpu/queue");
            Assert.That(queue.GetProperty("routing").EnumerateArray().Count(r => r.GetProperty("node").GetString() == "n2"), Is.EqualTo(held.Count), queue.ToString());
        }
        finally
        {
            fastBackend.Release();
        }

        var answers = await Task.WhenAll(held);
        TestContext.Out.WriteLine($"{held.Count} held on n2, then {elsewhere?.Node}");
        Assert.Multiple(() =>
        {
            Assert.That(held, Is.Not.Empty, "the first request waits on n2, the fastest");
            Assert.That(elsewhere, Is.Not.Null, "with n2's queue growing, a request went elsewhere");
            Assert.That(elsewhere?.Node, Is.AnyOf("lead", "n3"));
            Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(200));
            Assert.That(answers.Select(a => a.Node), Is.All.EqualTo("n2"), "the queued requests ran on n2 once it went on");
        });
    }

    [Test]
    [DependsOnTest(nameof(Fastest_QueueGrowsOnTheFastest_WorkShiftsAway), AllowFailure = true)]
    public async Task NodeKilledMidRun_StreamEndsWithoutARetry_AndLaterRequestsGoElsewhere()
    {
        // Let n2 win again after the queue test, and wait for figures n2 published after that request ended: one
        // published while it was busy could still be on its way and send the next request elsewhere.
        var ended = await UntilServedByAsync("n2");
        await WaitForAsync(Lead, s => Nodes(s).Any(n => n.GetProperty("name").GetString() == "n2" && n.GetProperty("published_at").GetDateTimeOffset().UtcDateTime > ended), "figures from n2 published after its last request");
        fastBackend.StallAfterFirstToken();
        var firstTokens = fastBackend.FirstTokens;
        var othersBefore = leadBackend.Requests + slowBackend.Requests;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = JsonContent.Create(new { model = Model, prompt = "p", options = new { num_predict = Tokens } }),
        };
        var streaming = await Lead.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.That(streaming.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("n2"), "the stream went to n2, the fastest");
        using var owned = streaming;
        using var reader = new StreamReader(await streaming.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        Assert.That(first, Does.Contain("\"done\":false"));
        Assert.That(fastBackend.FirstTokens, Is.EqualTo(firstTokens + 1));

        await n2.StopAsync(signal: 9);
        string rest;
        try
        {
            rest = await reader.ReadToEndAsync();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            rest = "";
        }

        var after = new List<Answer>();
        for (var i = 0; i < 4; i++)
        {
            after.Add(await GenerateAsync(Lead, Model));
        }

        TestContext.Out.WriteLine("after the kill: " + string.Join(", ", after.Select(a => a.Node)));
        Assert.Multiple(() =>
        {
            Assert.That(rest, Does.Not.Contain("\"done\":true"), "the broken answer ends without a final line");
            Assert.That(leadBackend.Requests + slowBackend.Requests, Is.EqualTo(othersBefore + 4), "the broken request was not sent anywhere again");
            Assert.That(after.Select(a => a.Status), Is.All.EqualTo(200), string.Join("\n", after.Select(a => a.Body)));
            Assert.That(after.Select(a => a.Node), Has.No.Member("n2"));
            Assert.That(after.Select(a => a.Body), Has.All.Contains("t5"));
        });
    }

    private static string Modules(NodeConfigFile c, string backends) =>
        NodeConfigFile.ShortRegistryIntervals + "\n" +
        $"router:\n  llama:\n    library_dir: {LlamaTestLibrary.Directory}\n  models_dir: {Path.Combine(c.DataDir, "models")}\n  context: 512\n" +
        "  publish_interval: 200ms\n  peer_stale_after: 3s\n  first_token_timeout: 10s\n  allowed_fails: 2\n  cooldown: 30s\n" + backends;

    private static async Task<Answer> GenerateAsync(NodeProcess node, string model)
    {
        using var response = await node.Http.PostAsJsonAsync("/api/generate", new { model, prompt = "p", stream = false, options = new { num_predict = Tokens } });
        var body = await response.Content.ReadAsStringAsync();
        var estimate = response.Headers.TryGetValues("X-Aurora-Estimate-Ms", out var e) && double.TryParse(e.Single(), out var ms) ? ms : -1;
        return new Answer((int)response.StatusCode, response.Headers.TryGetValues("X-Aurora-Node", out var n) ? n.Single() : "", estimate, body);
    }

    // The figures of a node that was held or loaded a moment ago settle within a few requests. Returns when the last ended.
    private async Task<DateTime> UntilServedByAsync(string node)
    {
        var served = new List<string>();
        for (var i = 0; i < 8 && served.LastOrDefault() != node; i++)
        {
            served.Add((await GenerateAsync(Lead, Model)).Node);
        }

        Assert.That(served.Last(), Is.EqualTo(node), "served by: " + string.Join(", ", served));
        return DateTime.UtcNow;
    }

    private static JsonElement Tag(JsonElement tags, string name) => tags.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);

    private static IEnumerable<JsonElement> Nodes(JsonElement status) => status.GetProperty("nodes").EnumerateArray();

    private static List<string> Models(JsonElement node) => node.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()!).ToList();

    private static JsonElement ModelEntry(JsonElement node, string model) => node.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == model);

    private static async Task<JsonElement> WaitForAsync(NodeProcess node, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement status = default;
        while (DateTime.UtcNow < deadline)
        {
            status = await node.GetJsonAsync("/api/gpu/status");
            if (condition(status))
            {
                return status;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{node.Config.Name}: not {what} within 30 s: {status}");
        return status;
    }

    private sealed record Answer(int Status, string Node, double Estimate, string Body);
}
