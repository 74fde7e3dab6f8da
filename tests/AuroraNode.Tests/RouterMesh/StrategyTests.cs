using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>
/// modules.router.strategy on real processes: three nodes, each fronting a test backend with model "m", each with
/// another strategy for the requests it receives. The lead (least_busy) has two slots, claims a GPU and its backend
/// writes tokens without delay, so it is the fastest before and after it is measured; it alone has "lonely". n2 (local) also fronts an OpenAI-compatible server with "o". n3 is
/// pinned to n2. The last test kills n2.
/// </summary>
[NonParallelizable]
public sealed class StrategyTests
{
    private const string Model = "m";

    private TempDirectory temp = null!;
    private TestKit.Mesh mesh = null!;
    private SlowBackend leadBackend = null!;
    private SlowBackend n2Backend = null!;
    private SlowBackend n2OpenAi = null!;
    private SlowBackend n3Backend = null!;
    private NodeProcess n2 = null!;
    private NodeProcess n3 = null!;

    private NodeProcess Lead => mesh.Lead;

    [OneTimeSetUp]
    public async Task StartMesh()
    {
        temp = new TempDirectory();
        leadBackend = await SlowBackend.StartAsync(Model, TimeSpan.Zero);
        n2Backend = await SlowBackend.StartAsync(Model, TimeSpan.FromMilliseconds(5));
        n2OpenAi = await SlowBackend.StartAsync("o", TimeSpan.FromMilliseconds(5));
        n2OpenAi.OpenAiNamesOnly = true;
        n3Backend = await SlowBackend.StartAsync(Model, TimeSpan.FromMilliseconds(5));
        mesh = await TestKit.Mesh.StartAsync(temp, c => c.Sections["modules"] = Modules("least_busy", leadBackend.BackendEntry("a", "ollama", gpu: true, slots: 2, Model, "lonely")));
        n2 = await mesh.AddAsync("n2", "compute", c => c.Sections["modules"] = Modules("local", n2Backend.BackendEntry("b", "ollama") + "\n" + n2OpenAi.BackendEntry("oa", "openai", models: "o")));
        n3 = await mesh.AddAsync("n3", "compute", c => c.Sections["modules"] = Modules("n2", n3Backend.BackendEntry("d", "ollama")));

        foreach (var node in new[] { Lead, n2, n3 })
        {
            await WaitForAsync(node, s => s.GetProperty("nodes").EnumerateArray().Count(n => Models(n).Contains(Model)) == 3, "all three nodes with model m");
        }
    }

    [OneTimeTearDown]
    public async Task StopMesh()
    {
        if (mesh is not null)
        {
            await mesh.DisposeAsync();
        }

        foreach (var backend in new[] { leadBackend, n2Backend, n2OpenAi, n3Backend })
        {
            if (backend is not null)
            {
                await backend.DisposeAsync();
            }
        }

        temp.Dispose();
    }

    [Test]
    public async Task LeastBusy_FastestNodeHalfBusy_NextRequestGoesToAnIdleNode()
    {
        var idle = await GenerateAsync(Lead, Model);
        leadBackend.Hold();
        Answer busy, next;
        try
        {
            var before = leadBackend.Requests;
            // Served on the lead whatever the figures say: a request another node forwarded is never forwarded again.
            var held = GenerateAsync(Lead, Model, forwardedBy: "n3");
            await Until(() => leadBackend.Requests > before, "the first request holds one of the lead's two slots");
            next = await GenerateAsync(Lead, Model);
            leadBackend.Release();
            busy = await held;
        }
        finally
        {
            leadBackend.Release();
        }

        Assert.Multiple(() =>
        {
            Assert.That(idle.Node, Is.EqualTo("lead"), "all idle: the lowest estimate (the lead's GPU prior)");
            Assert.That(idle.Route, Is.EqualTo("least_busy: best of 3 node(s)"));
            Assert.That(busy.Node, Is.EqualTo("lead"));
            Assert.That(busy.Route, Is.EqualTo("forwarded by n3"));
            Assert.That(next.Status, Is.EqualTo(200), next.Body);
            Assert.That(next.Node, Is.AnyOf("n2", "n3"), "a free slot on the lead, but it is busier than the idle nodes");
            Assert.That(next.Route, Is.EqualTo("least_busy: best of 3 node(s)"));
        });
    }

    [Test]
    [DependsOnTest(nameof(LeastBusy_FastestNodeHalfBusy_NextRequestGoesToAnIdleNode), AllowFailure = true)]
    public async Task Local_FasterNodeElsewhere_ServedHere_AndAModelOnlyElsewhereIsNotFound()
    {
        var here = await GenerateAsync(n2, Model);
        var lonely = await GenerateAsync(n2, "lonely");
        var tags = (await n2.GetJsonAsync("/api/tags")).GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(here.Status, Is.EqualTo(200), here.Body);
            Assert.That(here.Node, Is.EqualTo("n2"), "the lead is faster by its prior, but local never forwards");
            Assert.That(here.Route, Is.EqualTo("local: best of 1 node(s)"));
            Assert.That(lonely.Status, Is.EqualTo(404), lonely.Body);
            Assert.That(JsonDocument.Parse(lonely.Body).RootElement.GetProperty("error").GetString(), Is.EqualTo("model 'lonely' not found"));
            Assert.That(tags, Does.Contain("m:latest").And.Not.Contain("lonely:latest"), "a local node lists only what it serves");
        });
    }

    [Test]
    [DependsOnTest(nameof(Local_FasterNodeElsewhere_ServedHere_AndAModelOnlyElsewhereIsNotFound), AllowFailure = true)]
    public async Task Pinned_FasterNodeAndOwnBackend_ServedOnThePinnedNode()
    {
        var before = n3Backend.Requests;
        var answers = new List<Answer>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await GenerateAsync(n3, Model));
        }

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(200), string.Join("\n", answers.Select(a => a.Body)));
            Assert.That(answers.Select(a => a.Node), Is.All.EqualTo("n2"));
            Assert.That(answers.Select(a => a.Route), Is.All.EqualTo("pinned: best of 1 node(s)"));
            Assert.That(n3Backend.Requests, Is.EqualTo(before), "n3's own backend is never asked");
        });
    }

    [Test]
    [DependsOnTest(nameof(Pinned_FasterNodeAndOwnBackend_ServedOnThePinnedNode), AllowFailure = true)]
    public async Task OllamaRequest_ForAModelOnAnotherNodesOpenAiServer_ForwardedAndTranslatedThere()
    {
        await WaitForAsync(Lead, s => s.GetProperty("nodes").EnumerateArray().Any(n => Models(n).Contains("o")), "model o published by n2");
        using var response = await Lead.Http.PostAsJsonAsync("/api/chat", new { model = "o", messages = new[] { new { role = "user", content = "hi" } }, options = new { num_predict = 3 } });
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("n2"));
            Assert.That(string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString())), Is.EqualTo("t0 t1 t2 "));
            Assert.That(lines[^1].GetProperty("eval_count").GetInt32(), Is.EqualTo(3));
            Assert.That(n2OpenAi.LastOpenAiRequest.Path, Is.EqualTo("/v1/chat/completions"));
        });
    }

    [Test]
    [DependsOnTest(nameof(OllamaRequest_ForAModelOnAnotherNodesOpenAiServer_ForwardedAndTranslatedThere), AllowFailure = true)]
    public async Task Pinned_NodeGone_AnswersA503NamingIt_NeverServedElsewhere()
    {
        var before = n3Backend.Requests;
        await n2.StopAsync(signal: 9);
        var right = await GenerateAsync(n3, Model);
        await WaitForAsync(n3, s => s.GetProperty("nodes").EnumerateArray().All(n => n.GetProperty("name").GetString() != "n2"), "n2 dropped after peer_stale_after");
        var later = await GenerateAsync(n3, Model);
        var n3Served = n3Backend.Requests;
        var lead = await GenerateAsync(Lead, Model);

        TestContext.Out.WriteLine($"right after the kill: {right.Body}\nonce n2 is dropped: {later.Body}");
        Assert.Multiple(() =>
        {
            Assert.That(right.Status, Is.EqualTo(503), right.Body);
            Assert.That(right.RetryAfter, Is.Not.Null);
            Assert.That(Error(right), Does.Contain("n2"));
            Assert.That(later.Status, Is.EqualTo(503), later.Body);
            Assert.That(later.RetryAfter, Is.Not.Null);
            Assert.That(Error(later), Does.Contain("pins requests to node 'n2'").And.Contain("strategy: fastest"));
            Assert.That(n3Served, Is.EqualTo(before), "a pinned request never runs on another node, not even n3's own backend");
            Assert.That(lead.Status, Is.EqualTo(200), "the lead's least_busy routes around the dead node");
            Assert.That(lead.Node, Is.AnyOf("lead", "n3"));
        });
    }

    private static string Modules(string strategy, string backends) =>
        NodeConfigFile.ShortRegistryIntervals + "\n" +
        $"router:\n  llama:\n    library_dir: {LlamaTestLibrary.Directory}\n  strategy: {strategy}\n" +
        "  publish_interval: 200ms\n  peer_stale_after: 2s\n  first_token_timeout: 10s\n  backends:\n" + backends;

    private static async Task<Answer> GenerateAsync(NodeProcess node, string model, string? forwardedBy = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate")
        {
            Content = JsonContent.Create(new { model, prompt = "p", stream = false, options = new { num_predict = 3 } }),
        };
        if (forwardedBy is not null)
        {
            request.Headers.Add("X-Aurora-Forwarded-By", forwardedBy);
        }

        using var response = await node.Http.SendAsync(request);
        return new Answer(
            (int)response.StatusCode,
            response.Headers.TryGetValues("X-Aurora-Node", out var n) ? n.Single() : "",
            response.Headers.TryGetValues("X-Aurora-Route", out var r) ? r.Single() : "",
            response.Headers.RetryAfter?.ToString(),
            await response.Content.ReadAsStringAsync());
    }

    private static string Error(Answer answer) => JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetString()!;

    private static List<string> Models(JsonElement node) => node.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()!).ToList();

    private static async Task Until(Func<bool> condition, string what)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.That(condition(), Is.True, what);
    }

    private static async Task WaitForAsync(NodeProcess node, Func<JsonElement, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement status = default;
        while (DateTime.UtcNow < deadline)
        {
            status = await node.GetJsonAsync("/api/gpu/status");
            if (condition(status))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{node.Config.Name}: not {what} within 30 s: {status}");
    }

    private sealed record Answer(int Status, string Node, string Route, string? RetryAfter, string Body);
}
