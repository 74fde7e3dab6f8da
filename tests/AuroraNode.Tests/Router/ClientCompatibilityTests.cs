namespace AuroraNode.Tests.Router;

/// <summary>The npm packages "ollama" and "openai" (pinned in tests/clients/package.json) call the node with a user's bearer token and parse its answers.</summary>
public sealed class ClientCompatibilityTests
{
    [Test]
    public async Task OllamaJs_Generate_StreamingAndNotAgree()
    {
        var result = await JsClients.RunAsync("ollama-generate.mjs", RouterNode.Node.Config.ApiUrl, RouterNode.Tiny, RouterNode.AccessToken);

        var streamed = result.GetProperty("streamed");
        var whole = result.GetProperty("whole");
        Assert.Multiple(() =>
        {
            Assert.That(streamed.GetProperty("text").GetString(), Is.EqualTo(whole.GetProperty("response").GetString()).And.Not.Empty);
            Assert.That(streamed.GetProperty("chunks").GetInt32(), Is.GreaterThan(1));
            Assert.That(streamed.GetProperty("final").GetProperty("eval_count").GetInt32(), Is.EqualTo(12));
            Assert.That(whole.GetProperty("done_reason").GetString(), Is.EqualTo("length"));
            Assert.That(whole.GetProperty("prompt_eval_count").GetInt32(), Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task OllamaJs_ChatListPs_ParseTheAnswers()
    {
        var result = await JsClients.RunAsync("ollama-chat.mjs", RouterNode.Node.Config.ApiUrl, RouterNode.Tiny, RouterNode.AccessToken);

        Assert.Multiple(() =>
        {
            Assert.That(result.GetProperty("streamed").GetProperty("text").GetString(), Is.EqualTo(result.GetProperty("whole").GetProperty("message").GetProperty("content").GetString()).And.Not.Empty);
            Assert.That(result.GetProperty("streamed").GetProperty("final").GetProperty("eval_count").GetInt32(), Is.EqualTo(10));
            Assert.That(result.GetProperty("list").GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()), Does.Contain("tiny:latest"));
            Assert.That(result.GetProperty("ps").GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()), Does.Contain("tiny:latest"));
            Assert.That(result.GetProperty("missing").GetProperty("message").GetString(), Is.EqualTo("model 'no-such-model' not found"));
            Assert.That(result.GetProperty("missing").GetProperty("status").GetInt32(), Is.EqualTo(404));
        });
    }

    [Test]
    public async Task OpenAiJs_ChatCompletionsAndModels_ParseTheAnswers()
    {
        var result = await JsClients.RunAsync("openai-chat.mjs", RouterNode.Node.Config.ApiUrl, RouterNode.Tiny, RouterNode.AccessToken);

        var whole = result.GetProperty("whole");
        var streamed = result.GetProperty("streamed");
        Assert.Multiple(() =>
        {
            Assert.That(streamed.GetProperty("text").GetString(), Is.EqualTo(whole.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()).And.Not.Empty);
            Assert.That(whole.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(10));
            Assert.That(streamed.GetProperty("finish").GetString(), Is.EqualTo("length"));
            Assert.That(streamed.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.EqualTo(10));
            Assert.That(result.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()), Does.Contain("tiny:latest"));
            Assert.That(result.GetProperty("missing").GetProperty("status").GetInt32(), Is.EqualTo(404));
            Assert.That(result.GetProperty("missing").GetProperty("name").GetString(), Is.EqualTo("NotFoundError"));
        });
    }
}
