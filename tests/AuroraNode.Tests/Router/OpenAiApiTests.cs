namespace AuroraNode.Tests.Router;

public sealed class OpenAiApiTests
{
    private static readonly object[] Messages = [new { role = "user", content = "Hello" }];

    [Test]
    public async Task ChatCompletions_NotStreaming_AnswersWithUsage()
    {
        var (status, body, response) = await RouterNode.PostAsync("/v1/chat/completions", new { model = RouterNode.Tiny, messages = Messages, temperature = 0, max_tokens = 6 });

        Assert.That(status, Is.EqualTo(200), body);
        var answer = RouterNode.Json(body);
        var choice = answer.GetProperty("choices")[0];
        var usage = answer.GetProperty("usage");
        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("object").GetString(), Is.EqualTo("chat.completion"));
            Assert.That(answer.GetProperty("id").GetString(), Does.StartWith("chatcmpl-"));
            Assert.That(choice.GetProperty("message").GetProperty("role").GetString(), Is.EqualTo("assistant"));
            Assert.That(choice.GetProperty("message").GetProperty("content").GetString(), Is.Not.Empty);
            Assert.That(choice.GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
            Assert.That(usage.GetProperty("completion_tokens").GetInt32(), Is.EqualTo(6));
            Assert.That(usage.GetProperty("total_tokens").GetInt32(), Is.EqualTo(6 + usage.GetProperty("prompt_tokens").GetInt32()));
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("r1"));
        });
    }

    [Test]
    public async Task ChatCompletions_TopKExtension_UsedForLocalSampling()
    {
        // Top-k 1 leaves only the likeliest token, so even a hot temperature answers as greedy decoding does.
        var greedy = await ContentAsync(new { model = RouterNode.Tiny, messages = Messages, temperature = 0, max_tokens = 24 });
        var topK1 = await ContentAsync(new { model = RouterNode.Tiny, messages = Messages, temperature = 2, top_k = 1, seed = 11, max_tokens = 24 });
        var hot = await ContentAsync(new { model = RouterNode.Tiny, messages = Messages, temperature = 2, seed = 11, max_tokens = 24 });

        Assert.Multiple(() =>
        {
            Assert.That(topK1, Is.EqualTo(greedy));
            Assert.That(hot, Is.Not.EqualTo(greedy), "without top_k the same seed samples other tokens");
        });
    }

    [Test]
    public async Task ChatCompletions_Streaming_SendsSseChunksThenDone()
    {
        var request = new { model = RouterNode.Tiny, messages = Messages, temperature = 0, max_tokens = 6 };
        var (_, wholeBody, _) = await RouterNode.PostAsync("/v1/chat/completions", request);
        var (status, body, response) = await RouterNode.PostAsync("/v1/chat/completions", new { request.model, request.messages, request.temperature, request.max_tokens, stream = true, stream_options = new { include_usage = true } });

        Assert.That(status, Is.EqualTo(200), body);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.That(events, Has.All.StartWith("data: "));
        Assert.That(events[^1], Is.EqualTo("data: [DONE]"));
        var chunks = events[..^1].Select(e => RouterNode.Json(e["data: ".Length..])).ToList();
        var text = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(chunks.All(c => c.GetProperty("object").GetString() == "chat.completion.chunk"), Is.True);
            Assert.That(text, Is.EqualTo(RouterNode.Json(wholeBody).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
            Assert.That(chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString(), Is.EqualTo("length"));
            Assert.That(chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(6));
        });
    }

    [Test]
    public async Task Models_ListsTheModels()
    {
        var body = RouterNode.Json(await RouterNode.Http.GetStringAsync("/v1/models"));

        Assert.That(body.GetProperty("object").GetString(), Is.EqualTo("list"));
        Assert.That(body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()), Is.EquivalentTo(new[] { "long:latest", "tiny:latest" }));
    }

    [Test]
    public async Task ChatCompletions_UnknownModel_Answers404InOpenAiShape()
    {
        var (status, body, _) = await RouterNode.PostAsync("/v1/chat/completions", new { model = "nope", messages = Messages });

        Assert.That(status, Is.EqualTo(404), body);
        var error = RouterNode.Json(body).GetProperty("error");
        Assert.Multiple(() =>
        {
            Assert.That(error.GetProperty("message").GetString(), Is.EqualTo("model 'nope' not found"));
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("model_not_found"));
            Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("invalid_request_error"));
        });
    }

    [TestCase("{\"model\": \"tiny\"}", "messages")]
    [TestCase("[1, 2]", "not valid JSON")]
    [TestCase("{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"stop\": 5}", "stop")]
    public async Task ChatCompletions_BadBody_Answers400InOpenAiShape(string body, string expected)
    {
        var (status, answer, _) = await RouterNode.PostRawAsync("/v1/chat/completions", body);

        Assert.That(status, Is.EqualTo(400), answer);
        Assert.That(RouterNode.Json(answer).GetProperty("error").GetProperty("message").GetString(), Does.Contain(expected));
    }

    private static async Task<string> ContentAsync(object request)
    {
        var (status, body, _) = await RouterNode.PostAsync("/v1/chat/completions", request);
        Assert.That(status, Is.EqualTo(200), body);
        return RouterNode.Json(body).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }
}
