using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Router;

/// <summary>
/// One lead node for the router tests, with the tiny model in its models_dir as "tiny" and the same file as
/// "long" (a context of 8192, for generations that hold a slot for seconds). One slot per model, one request
/// may wait: the queue tests rely on it.
/// </summary>
[SetUpFixture]
public sealed class RouterNode
{
    public const string Tiny = "tiny";
    public const string Long = "long";

    private static TempDirectory? temp;
    private static NodeProcess? node;

    public static NodeProcess Node => node ?? throw new InvalidOperationException("the set-up fixture has not run");

    /// <summary>
    /// A client without the TestKit's 10 s limit, for long generations. It closes a connection whose response was
    /// not read to the end at once, like a client that goes away (by default .NET drains it for up to 2 s).
    /// </summary>
    public static HttpClient Http { get; private set; } = null!;

    public static TimeSpan LoadTime { get; private set; }

    /// <summary>The node's models_dir: a file copied in is listed at once.</summary>
    public static string ModelsDir { get; private set; } = "";

    /// <summary>The admin's access token, for clients that send a bearer token (the npm clients).</summary>
    public static string AccessToken { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        temp = new TempDirectory();
        var config = new NodeConfigFile(temp, "r1");
        var models = ModelsDir = Path.Combine(config.DataDir, "models");
        Directory.CreateDirectory(models);
        TinyGguf.Write(Path.Combine(models, "tiny.gguf"));
        config.Sections["modules"] = NodeConfigFile.ShortRegistryIntervals + "\n" + RouterSection(LlamaTestLibrary.Directory, models);
        node = new NodeProcess(config);
        var started = Stopwatch.StartNew();
        await node.StartAndWaitReadyAsync();
        TestContext.Progress.WriteLine($"router node ready in {started.Elapsed.TotalSeconds:F1} s");
        Http = OperatorSigning.Client(config, TimeSpan.FromMinutes(2));
        (AccessToken, _) = await Auth.AuthClient.TokensAsync(node, "admin", Mesh.Credentials(node)["auth.admin_password"]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Http?.Dispose();
        if (node is not null)
        {
            await node.DisposeAsync();
        }

        temp?.Dispose();
    }

    public static string RouterSection(string libraryDir, string modelsDir) =>
        $"router:\n  llama:\n    library_dir: {libraryDir}\n  models_dir: {modelsDir}\n  parallel: 1\n  queue_limit: 1\n  context: 512\n" +
        $"  models:\n    {Long}:\n      path: tiny.gguf\n      context: 8192";

    /// <summary>POSTs JSON and returns the status, the body and the response (for headers).</summary>
    public static async Task<(int Status, string Body, HttpResponseMessage Response)> PostAsync(string path, object body, CancellationToken ct = default)
    {
        var response = await Http.PostAsJsonAsync(path, body, ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct), response);
    }

    public static async Task<(int Status, string Body, HttpResponseMessage Response)> PostRawAsync(string path, string body)
    {
        var response = await Http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public static JsonElement Json(string body) => JsonDocument.Parse(body).RootElement;

    /// <summary>The lines of an NDJSON body, parsed.</summary>
    public static List<JsonElement> Lines(string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Json).ToList();

    public static object Greedy(int numPredict) => new { temperature = 0, seed = 7, num_predict = numPredict };
}
