using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Router;

public sealed class OllamaApiTests
{
    private const string Prompt = "Hello world, the";

    [Test]
    public async Task Generate_StreamingAndNot_Agree()
    {
        var (streamStatus, streamBody, streamResponse) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Tiny, prompt = Prompt, options = RouterNode.Greedy(16) });
        var (wholeStatus, wholeBody, _) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Tiny, prompt = Prompt, stream = false, options = RouterNode.Greedy(16) });

        Assert.That(streamStatus, Is.EqualTo(200), streamBody);
        Assert.That(wholeStatus, Is.EqualTo(200), wholeBody);
        var lines = RouterNode.Lines(streamBody);
        var final = lines[^1];
        var whole = RouterNode.Json(wholeBody);
        Assert.Multiple(() =>
        {
            Assert.That(streamResponse.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
            Assert.That(streamResponse.Headers.GetValues("X-Aurora-Node"), Is.EqualTo(new[] { "r1" }));
            Assert.That(lines.Take(lines.Count - 1).All(l => !l.GetProperty("done").GetBoolean()), Is.True);
            Assert.That(string.Concat(lines.Select(l => l.GetProperty("response").GetString())), Is.EqualTo(whole.GetProperty("response").GetString()));
            Assert.That(whole.GetProperty("response").GetString(), Is.Not.Empty);
            Assert.That(final.GetProperty("done").GetBoolean(), Is.True);
            Assert.That(final.GetProperty("done_reason").GetString(), Is.EqualTo("length"));
            Assert.That(final.GetProperty("eval_count").GetInt32(), Is.EqualTo(16));
            Assert.That(whole.GetProperty("eval_count").GetInt32(), Is.EqualTo(16));
            Assert.That(final.GetProperty("prompt_eval_count").GetInt32(), Is.EqualTo(whole.GetProperty("prompt_eval_count").GetInt32()).And.GreaterThan(0));
            foreach (var key in new[] { "total_duration", "load_duration", "prompt_eval_duration", "eval_duration" })
            {
                Assert.That(final.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number, Is.True, key);
            }

            Assert.That(final.GetProperty("eval_duration").GetInt64(), Is.GreaterThan(0));
            Assert.That(final.GetProperty("total_duration").GetInt64(), Is.GreaterThanOrEqualTo(final.GetProperty("eval_duration").GetInt64()));
            Assert.That(whole.GetProperty("model").GetString(), Is.EqualTo(RouterNode.Tiny));
            Assert.That(whole.GetProperty("created_at").GetString(), Does.EndWith("Z"));
        });
    }

    [Test]
    public async Task Generate_StopSequence_EndsBeforeIt()
    {
        var (_, fullBody, _) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Tiny, prompt = Prompt, stream = false, options = RouterNode.Greedy(24) });
        var full = RouterNode.Json(fullBody).GetProperty("response").GetString()!;
        var stop = full.Substring(full.Length / 2, 2);

        var (status, body, _) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Tiny, prompt = Prompt, options = new { temperature = 0, num_predict = 24, stop = new[] { stop } } });

        Assert.That(status, Is.EqualTo(200), body);
        var lines = RouterNode.Lines(body);
        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(lines.Select(l => l.GetProperty("response").GetString())), Is.EqualTo(full[..full.IndexOf(stop, StringComparison.Ordinal)]));
            Assert.That(lines[^1].GetProperty("done_reason").GetString(), Is.EqualTo("stop"));
        });
    }

    [Test]
    public async Task Chat_StreamingAndNot_AnswerAsTheAssistant()
    {
        var messages = new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = "Hello" } };
        var (status, body, _) = await RouterNode.PostAsync("/api/chat", new { model = "tiny:latest", messages, options = RouterNode.Greedy(8) });
        var (wholeStatus, wholeBody, _) = await RouterNode.PostAsync("/api/chat", new { model = "tiny:latest", messages, stream = false, options = RouterNode.Greedy(8) });

        Assert.That(status, Is.EqualTo(200), body);
        Assert.That(wholeStatus, Is.EqualTo(200), wholeBody);
        var lines = RouterNode.Lines(body);
        var whole = RouterNode.Json(wholeBody);
        Assert.Multiple(() =>
        {
            Assert.That(lines.All(l => l.GetProperty("message").GetProperty("role").GetString() == "assistant"), Is.True);
            Assert.That(string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString())), Is.EqualTo(whole.GetProperty("message").GetProperty("content").GetString()));
            Assert.That(lines[^1].GetProperty("done").GetBoolean(), Is.True);
            Assert.That(lines[^1].GetProperty("eval_count").GetInt32(), Is.EqualTo(8));
            Assert.That(whole.GetProperty("model").GetString(), Is.EqualTo("tiny:latest"));
        });
    }

    [Test]
    public async Task Tags_ListsTheModelsDirAndTheNamedModels()
    {
        using var response = await RouterNode.Http.GetAsync("/api/tags");
        var body = RouterNode.Json(await response.Content.ReadAsStringAsync());
        var models = body.GetProperty("models").EnumerateArray().ToList();

        Assert.That(models.Select(m => m.GetProperty("name").GetString()), Is.EquivalentTo(new[] { "long:latest", "tiny:latest" }));
        var tiny = models.Single(m => m.GetProperty("name").GetString() == "tiny:latest");
        Assert.Multiple(() =>
        {
            Assert.That(tiny.GetProperty("model").GetString(), Is.EqualTo("tiny:latest"));
            Assert.That(tiny.GetProperty("size").GetInt64(), Is.GreaterThan(100_000));
            Assert.That(tiny.GetProperty("digest").GetString(), Does.Match("^[0-9a-f]{64}$"));
            Assert.That(DateTimeOffset.Parse(tiny.GetProperty("modified_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(DateTimeOffset.UtcNow));
            Assert.That(tiny.GetProperty("details").GetProperty("format").GetString(), Is.EqualTo("gguf"));
            Assert.That(tiny.GetProperty("details").GetProperty("parameter_size").GetString(), Is.EqualTo("130K"));
            Assert.That(tiny.GetProperty("details").GetProperty("quantization_level").GetString(), Is.EqualTo("F32"));
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("r1"));
        });
    }

    [Test]
    public async Task Tags_ModelNeverLoaded_DetailsFromItsGgufHeader()
    {
        var path = TinyGguf.Write(Path.Combine(RouterNode.ModelsDir, "cold.gguf"), fileType: 15, parameterCount: 1_235_814_400);
        try
        {
            var tags = RouterNode.Json(await RouterNode.Http.GetStringAsync("/api/tags")).GetProperty("models").EnumerateArray().ToList();
            var ps = RouterNode.Json(await RouterNode.Http.GetStringAsync("/api/ps")).GetProperty("models").EnumerateArray();

            var details = tags.Single(m => m.GetProperty("name").GetString() == "cold:latest").GetProperty("details");
            Assert.Multiple(() =>
            {
                Assert.That(ps.Select(m => m.GetProperty("name").GetString()), Does.Not.Contain("cold:latest"), "never loaded");
                Assert.That(details.GetProperty("format").GetString(), Is.EqualTo("gguf"));
                Assert.That(details.GetProperty("family").GetString(), Is.EqualTo("llama"));
                Assert.That(details.GetProperty("families").EnumerateArray().Select(f => f.GetString()), Is.EqualTo(new[] { "llama" }));
                Assert.That(details.GetProperty("parameter_size").GetString(), Is.EqualTo("1.2B"));
                Assert.That(details.GetProperty("quantization_level").GetString(), Is.EqualTo("Q4_K_M"));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Ps_AfterARequest_ShowsTheModelWithItsExpiry()
    {
        var before = DateTimeOffset.UtcNow;
        var (status, body, _) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Tiny, prompt = Prompt, stream = false, keep_alive = "10m", options = RouterNode.Greedy(2) });
        Assert.That(status, Is.EqualTo(200), body);

        var ps = RouterNode.Json(await RouterNode.Http.GetStringAsync("/api/ps")).GetProperty("models").EnumerateArray().ToList();

        var tiny = ps.Single(m => m.GetProperty("name").GetString() == "tiny:latest");
        var expires = DateTimeOffset.Parse(tiny.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(expires, Is.InRange(before.AddMinutes(9.9), DateTimeOffset.UtcNow.AddMinutes(10.1)));
            Assert.That(tiny.GetProperty("size").GetInt64(), Is.GreaterThan(100_000));
            Assert.That(tiny.GetProperty("digest").GetString(), Does.Match("^[0-9a-f]{64}$"));
            Assert.That(tiny.GetProperty("details").GetProperty("family").GetString(), Is.EqualTo("llama"));
        });
    }

    [Test]
    public async Task Generate_KeepAliveZero_UnloadsRightAfter()
    {
        var (status, body, _) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Tiny, prompt = Prompt, keep_alive = 0, options = RouterNode.Greedy(4) });
        Assert.That(status, Is.EqualTo(200), body);

        var ps = RouterNode.Json(await RouterNode.Http.GetStringAsync("/api/ps")).GetProperty("models").EnumerateArray();

        Assert.That(ps.Select(m => m.GetProperty("name").GetString()), Does.Not.Contain("tiny:latest"));
    }

    [Test]
    public async Task Generate_EmptyPrompt_LoadsTheModelOnly()
    {
        var (status, body, _) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Tiny });

        Assert.That(status, Is.EqualTo(200), body);
        var answer = RouterNode.Json(body);
        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("done").GetBoolean(), Is.True);
            Assert.That(answer.GetProperty("done_reason").GetString(), Is.EqualTo("load"));
            Assert.That(answer.GetProperty("response").GetString(), Is.Empty);
        });
    }

    [TestCase("/api/generate")]
    [TestCase("/api/chat")]
    public async Task Generate_UnknownModel_Answers404LikeOllama(string path)
    {
        var (status, body, response) = await RouterNode.PostAsync(path, new { model = "nope", prompt = "x", messages = new[] { new { role = "user", content = "x" } } });

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(404));
            Assert.That(RouterNode.Json(body).GetProperty("error").GetString(), Is.EqualTo("model 'nope' not found"));
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("r1"));
        });
    }

    [TestCase("{not json", "not valid JSON")]
    [TestCase("{\"prompt\": \"hi\"}", "\"model\" is required")]
    [TestCase("{\"model\": \"tiny\", \"prompt\": 3}", "not valid JSON")]
    [TestCase("{\"model\": \"tiny\", \"prompt\": \"x\", \"keep_alive\": \"soon\"}", "keep_alive")]
    [TestCase("", "JSON")]
    public async Task Generate_BadBody_Answers400SayingWhat(string body, string expected)
    {
        var (status, answer, _) = await RouterNode.PostRawAsync("/api/generate", body);

        Assert.That(status, Is.EqualTo(400), answer);
        Assert.That(RouterNode.Json(answer).GetProperty("error").GetString(), Does.Contain(expected));
    }

    [Test]
    public async Task Metrics_AfterAGeneration_CountRequestsAndTokens()
    {
        var (status, body, _) = await RouterNode.PostAsync("/api/generate", new { model = RouterNode.Tiny, prompt = Prompt, stream = false, options = RouterNode.Greedy(3) });
        Assert.That(status, Is.EqualTo(200), body);

        var metrics = await RouterNode.Http.GetStringAsync("/metrics");

        Assert.That(metrics, Does.Contain("aurora_router_requests").And.Contain("model=\"tiny\"").And.Contain("aurora_router_tokens_generated").And.Contain("aurora_router_busy_slots"));
    }

    [Test]
    public async Task Chat_BadRole_Answers400()
    {
        var (status, body, _) = await RouterNode.PostAsync("/api/chat", new { model = RouterNode.Tiny, messages = new[] { new { role = "wizard", content = "x" } } });

        Assert.That(status, Is.EqualTo(400), body);
        Assert.That(RouterNode.Json(body).GetProperty("error").GetString(), Does.Contain("wizard"));
    }
}
