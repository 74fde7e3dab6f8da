using System.Text;
using System.Text.Json;
using AuroraNode.Modules.Router.Backends;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>How an Ollama request becomes the OpenAI request an OpenAI-compatible server gets.</summary>
public sealed class OllamaToOpenAiTests
{
    // Ollama path, body → OpenAI path, the translated body's fields that matter (JSON, compared as written)
    [TestCase("/api/generate", """{"model":"m","prompt":"p"}""", "/v1/chat/completions", """{"model":"srv","messages":[{"role":"user","content":"p"}],"stream":true,"stream_options":{"include_usage":true}}""", TestName = "Translate_Generate_PromptBecomesOneUserMessage_AlwaysStreamedWithUsage")]
    [TestCase("/api/generate", """{"model":"m","prompt":"p","raw":true,"system":"ignored when raw","options":{"num_predict":5}}""", "/v1/completions", """{"model":"srv","prompt":"p","max_tokens":5,"stream":true,"stream_options":{"include_usage":true}}""", TestName = "Translate_RawGenerate_CompletionsWithThePromptAsItIs")]
    [TestCase("/api/generate", """{"model":"m","prompt":"p","options":{"num_predict":-1,"top_k":0,"stop":"x"}}""", "/v1/chat/completions", """{"model":"srv","messages":[{"role":"user","content":"p"}],"stop":["x"],"stream":true,"stream_options":{"include_usage":true}}""", TestName = "Translate_UnlimitedLengthAndTopKZero_LeftOut_StopStringAList")]
    [TestCase("/api/generate", """{"model":"m","prompt":"p","options":{"top_k":40,"top_p":0.5}}""", "/v1/chat/completions", """{"model":"srv","messages":[{"role":"user","content":"p"}],"top_p":0.5,"top_k":40,"stream":true,"stream_options":{"include_usage":true}}""", TestName = "Translate_GenerateTopK_PassedOnAsTheServersExtension")]
    [TestCase("/api/chat", """{"model":"m","messages":[{"role":"user","content":"c"}],"options":{"top_k":1}}""", "/v1/chat/completions", """{"model":"srv","messages":[{"role":"user","content":"c"}],"top_k":1,"stream":true,"stream_options":{"include_usage":true}}""", TestName = "Translate_ChatTopK_PassedOnAsTheServersExtension")]
    [TestCase("/api/generate", """{"model":"m","prompt":"p","raw":true,"options":{"top_k":5}}""", "/v1/completions", """{"model":"srv","prompt":"p","top_k":5,"stream":true,"stream_options":{"include_usage":true}}""", TestName = "Translate_RawGenerateTopK_PassedOnToCompletions")]
    [TestCase("/api/chat", """{"model":"m","messages":[{"role":"user","content":"look","images":["iVBORw0KGgo="]}],"options":{"frequency_penalty":0.5,"presence_penalty":0.25}}""", "/v1/chat/completions", """{"model":"srv","messages":[{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}],"frequency_penalty":0.5,"presence_penalty":0.25,"stream":true,"stream_options":{"include_usage":true}}""", TestName = "Translate_ChatWithImagesAndPenalties_VisionPartsAndTheSamePenalties")]
    [TestCase("/api/chat", """{"model":"m","messages":[{"role":"user","content":"j"}],"format":{"type":"object"}}""", "/v1/chat/completions", """{"model":"srv","messages":[{"role":"user","content":"j"}],"response_format":{"type":"json_schema","json_schema":{"name":"response","schema":{"type":"object"}}},"stream":true,"stream_options":{"include_usage":true}}""", TestName = "Translate_FormatSchema_ResponseFormatJsonSchema")]
    public void Translate_Table(string path, string body, string expectedPath, string expectedBody)
    {
        var translated = OllamaToOpenAi.Translate(path, Encoding.UTF8.GetBytes(body), "srv");

        Assert.That(translated.Problem, Is.Null);
        Assert.That(translated.Path, Is.EqualTo(expectedPath));
        Assert.That(Encoding.UTF8.GetString(translated.Body), Is.EqualTo(expectedBody));
    }

    [TestCase("/api/generate", """{"model":"m","stream":false}""", "load", false, TestName = "Translate_GenerateWithoutPrompt_OnlyLoads")]
    [TestCase("/api/chat", """{"model":"m","messages":[],"keep_alive":0}""", "unload", true, TestName = "Translate_ChatWithoutMessagesKeepAliveZero_OnlyUnloads")]
    public void Translate_NothingToGenerate_AnsweredWithoutTheServer(string path, string body, string reason, bool stream)
    {
        var translated = OllamaToOpenAi.Translate(path, Encoding.UTF8.GetBytes(body), "srv");

        Assert.That((translated.LoadReason, translated.Stream, translated.Problem), Is.EqualTo(((string?)reason, stream, (string?)null)));
    }

    [TestCase("/api/chat", """{"model":"m","messages":[{"role":"robot","content":"x"}]}""", "\"role\" of system, user, assistant or tool, got 'robot'")]
    [TestCase("/api/generate", """{"model":"m","prompt":"p","options":{"stop":[1]}}""", "\"options.stop\" must be a string or a list of strings")]
    [TestCase("/api/generate", """{"model":"m","prompt":"p","format":"yaml"}""", "\"format\" must be \"json\" or a JSON schema")]
    [TestCase("/api/generate", """{"model":"m","prompt":"p","options":{"temperature":"hot"}}""", "not valid JSON for this endpoint at $.options.temperature")]
    public void Translate_Mistake_AProblemNamingIt(string path, string body, string problem)
    {
        var translated = OllamaToOpenAi.Translate(path, Encoding.UTF8.GetBytes(body), "srv");

        Assert.That(translated.Problem, Does.Contain(problem));
    }

    [Test]
    public void Translate_FloatOptions_WrittenAsTheClientWroteThem()
    {
        var translated = OllamaToOpenAi.Translate("/api/generate", """{"model":"m","prompt":"p","options":{"temperature":0.7,"top_p":0.9,"seed":42}}"""u8.ToArray(), "srv");

        var json = JsonDocument.Parse(translated.Body).RootElement;
        Assert.That((json.GetProperty("temperature").GetRawText(), json.GetProperty("top_p").GetRawText(), json.GetProperty("seed").GetRawText()), Is.EqualTo(("0.7", "0.9", "42")));
    }

    [Test]
    public void Translate_ToolConversation_CallsGetIds_EachAnswerTheIdOfItsToolsEarliestCall()
    {
        var body = """
            {"model":"m","tools":[{"type":"function","function":{"name":"f"}}],"messages":[
              {"role":"user","content":"w"},
              {"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":1}}},{"function":{"name":"g","arguments":{}}}]},
              {"role":"tool","content":"from g","tool_name":"g"},
              {"role":"tool","content":"from f","tool_name":"f"}]}
            """;

        var translated = OllamaToOpenAi.Translate("/api/chat", Encoding.UTF8.GetBytes(body), "srv");

        var json = JsonDocument.Parse(translated.Body).RootElement;
        var messages = json.GetProperty("messages");
        var calls = messages[1].GetProperty("tool_calls");
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString(), Is.EqualTo("f"));
            Assert.That(calls[0].GetProperty("type").GetString(), Is.EqualTo("function"));
            Assert.That(calls[0].GetProperty("function").GetProperty("arguments").GetString(), Is.EqualTo("""{"a":1}"""), "arguments as a JSON string");
            Assert.That(calls[0].GetProperty("id").GetString(), Is.Not.EqualTo(calls[1].GetProperty("id").GetString()));
            Assert.That(messages[2].GetProperty("tool_call_id").GetString(), Is.EqualTo(calls[1].GetProperty("id").GetString()));
            Assert.That(messages[3].GetProperty("tool_call_id").GetString(), Is.EqualTo(calls[0].GetProperty("id").GetString()));
        });
    }
}
