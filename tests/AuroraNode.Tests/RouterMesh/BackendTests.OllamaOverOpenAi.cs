using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.Router;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>Ollama's API to an OpenAI-compatible server ("o" on "oa"), and OpenAI's to an Ollama one ("m" on "ol").</summary>
public sealed partial class BackendTests
{
    [Test]
    public async Task OpenAiServer_OllamaGenerateStreams_TranslatedToChatCompletionsAndBack()
    {
        await WaitForModelAsync("o");
        using var response = await Node.Http.PostAsJsonAsync("/api/generate", new
        {
            model = "o",
            prompt = "hi",
            system = "be brief",
            options = new { num_predict = 3, temperature = 0.7, top_p = 0.9, top_k = 20, seed = 7, stop = new[] { "\n\n" } },
        });
        var body = await response.Content.ReadAsStringAsync();
        var (path, sent) = openAi.LastOpenAiRequest;

        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var final = lines[^1];
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/x-ndjson"));
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("lead"));
            Assert.That(lines.Take(lines.Count - 1).Select(l => l.GetProperty("response").GetString()), Is.EqualTo(new[] { "t0 ", "t1 ", "t2 " }));
            Assert.That(lines.Take(lines.Count - 1).Select(l => l.GetProperty("done").GetBoolean()), Is.All.False);
            Assert.That(lines.Select(l => l.GetProperty("model").GetString()), Is.All.EqualTo("o"));
            Assert.That(lines.Select(l => l.GetProperty("created_at").GetDateTime()), Is.All.GreaterThan(DateTime.UtcNow.AddMinutes(-1)));
            Assert.That(final.GetProperty("done").GetBoolean(), Is.True);
            Assert.That(final.GetProperty("response").GetString(), Is.Empty);
            Assert.That(final.GetProperty("done_reason").GetString(), Is.EqualTo("length"));
            Assert.That(final.GetProperty("eval_count").GetInt32(), Is.EqualTo(3), "the server's usage");
            Assert.That(final.GetProperty("prompt_eval_count").GetInt32(), Is.EqualTo(4), "the server's usage");
            Assert.That(final.GetProperty("eval_duration").GetInt64(), Is.GreaterThan(0));
            Assert.That(final.GetProperty("total_duration").GetInt64(), Is.GreaterThanOrEqualTo(final.GetProperty("eval_duration").GetInt64() + final.GetProperty("prompt_eval_duration").GetInt64()));

            Assert.That(path, Is.EqualTo("/v1/chat/completions"));
            Assert.That(sent.GetProperty("model").GetString(), Is.EqualTo("o"));
            Assert.That(sent.GetProperty("messages").ToString(), Is.EqualTo("""[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]"""));
            Assert.That(sent.GetProperty("max_tokens").GetInt32(), Is.EqualTo(3));
            Assert.That(sent.GetProperty("temperature").GetDouble(), Is.EqualTo(0.7));
            Assert.That(sent.GetProperty("top_p").GetDouble(), Is.EqualTo(0.9));
            Assert.That(sent.GetProperty("top_k").GetInt32(), Is.EqualTo(20));
            Assert.That(sent.GetProperty("seed").GetInt32(), Is.EqualTo(7));
            Assert.That(sent.GetProperty("stop").ToString(), Is.EqualTo("""["\n\n"]"""));
            Assert.That(sent.GetProperty("stream").GetBoolean(), Is.True, "always streamed, to measure");
            Assert.That(sent.GetProperty("stream_options").GetProperty("include_usage").GetBoolean(), Is.True);
        });
    }

    [Test]
    public async Task OpenAiServer_OllamaChatNotStreamed_OneJsonWithFigures_ModelByTheServersName()
    {
        await WaitForModelAsync("o");
        using var response = await Node.Http.PostAsJsonAsync("/api/chat", new
        {
            model = "o:latest",
            messages = new[] { new { role = "system", content = "s" }, new { role = "user", content = "hi" }, new { role = "assistant", content = "a" }, new { role = "user", content = "more" } },
            stream = false,
            format = "json",
            options = new { num_predict = 4 },
        });
        var body = await response.Content.ReadAsStringAsync();
        var (_, sent) = openAi.LastOpenAiRequest;

        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(json.GetProperty("model").GetString(), Is.EqualTo("o:latest"), "the name the client used, as Ollama answers");
            Assert.That(json.GetProperty("message").GetProperty("role").GetString(), Is.EqualTo("assistant"));
            Assert.That(json.GetProperty("message").GetProperty("content").GetString(), Is.EqualTo("t0 t1 t2 t3 "));
            Assert.That(json.GetProperty("done").GetBoolean(), Is.True);
            Assert.That(json.GetProperty("eval_count").GetInt32(), Is.EqualTo(4));
            Assert.That(json.GetProperty("total_duration").GetInt64(), Is.GreaterThan(0));
            Assert.That(sent.GetProperty("model").GetString(), Is.EqualTo("o"), "an OpenAI server knows the model without :latest");
            Assert.That(sent.GetProperty("messages").GetArrayLength(), Is.EqualTo(4));
            Assert.That(sent.GetProperty("response_format").GetProperty("type").GetString(), Is.EqualTo("json_object"));
        });
    }

    [TestCase(true, TestName = "OpenAiServer_OllamaChatWithTools_StreamedCallComesWhole_AnswerGoesBackWithItsId")]
    [TestCase(false, TestName = "OpenAiServer_OllamaChatWithTools_OneJsonWithTheCall_AnswerGoesBackWithItsId")]
    public async Task OpenAiServer_OllamaChatWithTools(bool stream)
    {
        await WaitForModelAsync("o");
        var tools = new[] { new { type = "function", function = new { name = "get_weather", description = "weather in a city", parameters = new { type = "object", properties = new { city = new { type = "string" } } } } } };
        using var ask = await Node.Http.PostAsJsonAsync("/api/chat", new { model = "o", messages = new[] { new { role = "user", content = "weather in Paris?" } }, tools, stream });
        var asked = await ask.Content.ReadAsStringAsync();
        var askedBody = openAi.LastOpenAiRequest.Body;
        Assert.That((int)ask.StatusCode, Is.EqualTo(200), asked);
        var lines = asked.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var withCall = lines.Single(l => l.GetProperty("message").TryGetProperty("tool_calls", out _));

        using var answer = await Node.Http.PostAsJsonAsync("/api/chat", new
        {
            model = "o",
            messages = new object[]
            {
                new { role = "user", content = "weather in Paris?" },
                new { role = "assistant", content = "", tool_calls = new[] { new { function = new { name = "get_weather", arguments = new { city = "Paris" } } } } },
                new { role = "tool", content = "sunny", tool_name = "get_weather" },
            },
            tools,
            stream,
            options = new { num_predict = 2 },
        });
        var answered = await answer.Content.ReadAsStringAsync();
        var sent = openAi.LastOpenAiRequest.Body.GetProperty("messages");

        Assert.Multiple(() =>
        {
            Assert.That(withCall.GetProperty("message").GetProperty("tool_calls").ToString(), Is.EqualTo("""[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]"""));
            Assert.That(lines[^1].GetProperty("done").GetBoolean(), Is.True);
            Assert.That(lines[^1].GetProperty("done_reason").GetString(), Is.EqualTo("stop"));
            Assert.That(askedBody.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("get_weather"));
            Assert.That((int)answer.StatusCode, Is.EqualTo(200), answered);
            Assert.That(answered, Does.Contain("t0 "));
            Assert.That(sent[1].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("""{"city":"Paris"}"""));
            Assert.That(sent[2].GetProperty("tool_call_id").GetString(), Is.EqualTo(sent[1].GetProperty("tool_calls")[0].GetProperty("id").GetString()));
        });
    }

    [Test]
    public async Task OpenAiServer_OllamaRawGenerate_GoesToCompletions_EmptyPromptOnlyLoads()
    {
        await WaitForModelAsync("o");
        using var raw = await Node.Http.PostAsJsonAsync("/api/generate", new { model = "o", prompt = "<s>[INST] hi [/INST]", raw = true, stream = false, options = new { num_predict = 2 } });
        var rawBody = await raw.Content.ReadAsStringAsync();
        var (path, sent) = openAi.LastOpenAiRequest;
        var requests = openAi.Requests;
        using var load = await Node.Http.PostAsJsonAsync("/api/generate", new { model = "o" });
        var loadBody = await load.Content.ReadAsStringAsync();

        Assert.That((int)raw.StatusCode, Is.EqualTo(200), rawBody);
        Assert.That((int)load.StatusCode, Is.EqualTo(200), loadBody);
        Assert.Multiple(() =>
        {
            Assert.That(JsonDocument.Parse(rawBody).RootElement.GetProperty("response").GetString(), Is.EqualTo("t0 t1 "));
            Assert.That(path, Is.EqualTo("/v1/completions"));
            Assert.That(sent.GetProperty("prompt").GetString(), Is.EqualTo("<s>[INST] hi [/INST]"));
            Assert.That(JsonDocument.Parse(loadBody).RootElement.GetProperty("done_reason").GetString(), Is.EqualTo("load"));
            Assert.That(openAi.Requests, Is.EqualTo(requests), "a load-only request is answered without the server");
        });
    }

    [Test]
    public async Task OpenAiServer_RefusesAnOption_ItsMessageComesBackInOllamasShape()
    {
        await WaitForModelAsync("o");
        using var response = await Node.Http.PostAsJsonAsync("/api/chat", new { model = "o", messages = new[] { new { role = "user", content = "hi" } }, options = new { temperature = 3 } });
        var body = await response.Content.ReadAsStringAsync();
        using var bad = await Node.Http.PostAsJsonAsync("/api/generate", new { model = "o", prompt = "hi", format = 5 });
        var badBody = await bad.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(400), body);
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), Does.Contain("backend oa answered 400").And.Contain("greater than the maximum of 2"));
            Assert.That((int)bad.StatusCode, Is.EqualTo(400), badBody);
            Assert.That(JsonDocument.Parse(badBody).RootElement.GetProperty("error").GetString(), Does.Contain("\"format\" must be \"json\" or a JSON schema"));
        });
    }

    [Test]
    public async Task OpenAiServer_ChatCompletionsNamedLatest_ReachTheServerByItsOwnName()
    {
        await WaitForModelAsync("o");
        using var response = await Node.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "o:latest", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 2 });
        var body = await response.Content.ReadAsStringAsync();

        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        Assert.That(openAi.LastOpenAiRequest.Body.GetProperty("model").GetString(), Is.EqualTo("o"));
    }

    [Test]
    public async Task OllamaServer_ChatCompletions_PassToItsOpenAiEndpoint()
    {
        using var response = await Node.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "m:latest", messages = new[] { new { role = "user", content = "hi" } }, stream = true, max_tokens = 3 });
        var sse = await response.Content.ReadAsStringAsync();
        var (path, sent) = ollama.LastOpenAiRequest;

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200), sse);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(sse, Does.Contain("\"content\":\"t2 \"").And.EndWith("data: [DONE]\n\n"));
            Assert.That(path, Is.EqualTo("/v1/chat/completions"));
            Assert.That(sent.GetProperty("model").GetString(), Is.EqualTo("m:latest"), "Ollama takes the body as the client sent it");
        });
    }

    [Test]
    public async Task OllamaJs_GenerateAndChat_AgainstAnOpenAiServer_ParseTheTranslatedAnswers()
    {
        await WaitForModelAsync("o");
        var (token, _) = await Auth.AuthClient.TokensAsync(Node, "admin", TestKit.Mesh.Credentials(Node)["auth.admin_password"]);

        var generate = await JsClients.RunAsync("ollama-generate.mjs", Node.Config.ApiUrl, "o", token);
        var chat = await JsClients.RunAsync("ollama-chat.mjs", Node.Config.ApiUrl, "o", token);

        Assert.Multiple(() =>
        {
            Assert.That(generate.GetProperty("streamed").GetProperty("text").GetString(), Is.EqualTo(generate.GetProperty("whole").GetProperty("response").GetString()).And.StartWith("t0 t1 "));
            Assert.That(generate.GetProperty("streamed").GetProperty("chunks").GetInt32(), Is.EqualTo(13));
            Assert.That(generate.GetProperty("streamed").GetProperty("final").GetProperty("eval_count").GetInt32(), Is.EqualTo(12));
            Assert.That(generate.GetProperty("whole").GetProperty("done_reason").GetString(), Is.EqualTo("length"));
            Assert.That(chat.GetProperty("streamed").GetProperty("text").GetString(), Is.EqualTo(chat.GetProperty("whole").GetProperty("message").GetProperty("content").GetString()).And.StartWith("t0 "));
            Assert.That(chat.GetProperty("streamed").GetProperty("final").GetProperty("eval_count").GetInt32(), Is.EqualTo(10));
            Assert.That(chat.GetProperty("list").GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()), Does.Contain("o:latest"));
            Assert.That(chat.GetProperty("missing").GetProperty("status").GetInt32(), Is.EqualTo(404));
        });
    }

    [Test]
    public async Task OpenAiJs_ChatCompletions_AgainstAnOllamaServer_ParseThePassedThroughAnswers()
    {
        var (token, _) = await Auth.AuthClient.TokensAsync(Node, "admin", TestKit.Mesh.Credentials(Node)["auth.admin_password"]);

        var result = await JsClients.RunAsync("openai-chat.mjs", Node.Config.ApiUrl, "m", token);

        var streamed = result.GetProperty("streamed");
        Assert.Multiple(() =>
        {
            Assert.That(streamed.GetProperty("text").GetString(), Is.EqualTo(result.GetProperty("whole").GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()).And.StartWith("t0 "));
            Assert.That(streamed.GetProperty("finish").GetString(), Is.EqualTo("length"));
            Assert.That(streamed.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(10));
            Assert.That(result.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()), Does.Contain("m:latest"));
            Assert.That(result.GetProperty("missing").GetProperty("status").GetInt32(), Is.EqualTo(404));
        });
    }
}
