using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Router;

public sealed class NoLibraryTests
{
    [Test]
    public async Task Node_WithoutLibrary_StartsReadyAndAnswers503WithTheReason()
    {
        using var temp = new TempDirectory();
        var config = new NodeConfigFile(temp, "bare");
        var empty = temp.Combine("no-llama");
        Directory.CreateDirectory(empty);
        var models = Path.Combine(config.DataDir, "models");
        Directory.CreateDirectory(models);
        TinyGguf.Write(Path.Combine(models, "tiny.gguf"));
        config.Sections["modules"] = NodeConfigFile.ShortRegistryIntervals + $"\nrouter:\n  llama:\n    library_dir: {empty}";
        await using var node = new NodeProcess(config);

        await node.StartAndWaitReadyAsync();

        var module = await node.ModuleAsync("router");
        var (status, body, response) = await Post(node, "/api/generate", "{\"model\": \"tiny\", \"prompt\": \"hi\"}");
        var (openAiStatus, openAiBody, _) = await Post(node, "/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        Assert.Multiple(() =>
        {
            Assert.That(module.GetProperty("state").GetString(), Is.EqualTo("running"));
            Assert.That(module.GetProperty("detail").GetString(), Does.StartWith($"no local inference: llama.cpp library not found at {empty}").And.Contain("packaging/fetch-llama.sh"));
            Assert.That(status, Is.EqualTo(503), body);
            Assert.That(RouterNode.Json(body).GetProperty("error").GetString(), Does.Contain("llama.cpp library not found"));
            Assert.That(response.Headers.GetValues("X-Aurora-Node").Single(), Is.EqualTo("bare"));
            Assert.That(openAiStatus, Is.EqualTo(503), openAiBody);
            Assert.That(RouterNode.Json(openAiBody).GetProperty("error").GetProperty("message").GetString(), Does.Contain("llama.cpp library not found"));
        });
    }

    private static async Task<(int, string, HttpResponseMessage)> Post(NodeProcess node, string path, string json)
    {
        var response = await node.Http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }
}
