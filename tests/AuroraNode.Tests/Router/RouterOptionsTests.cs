using AuroraNode.Tests.Configuration;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Router;

public sealed class RouterOptionsTests
{
    private TempDirectory temp = null!;

    [SetUp]
    public void SetUp() => temp = new TempDirectory();

    [TearDown]
    public void TearDown() => temp.Dispose();

    [TestCase("keep_alive: soon", "modules.router.keep_alive")]
    [TestCase("parallel: 0", "modules.router.parallel")]
    [TestCase("queue_limit: -1", "modules.router.queue_limit")]
    [TestCase("threads: many", "modules.router.threads")]
    [TestCase("context: 8", "modules.router.context")]
    [TestCase("models:\n      big:\n        context: 4096", "modules.router.models.big.path")]
    [TestCase("models:\n      big:\n        path: big.gguf\n        parallel: 100", "modules.router.models.big.parallel")]
    [TestCase("models:\n      big:\n        path: big.gguf\n        gpu_layers: -5", "modules.router.models.big.gpu_layers")]
    [TestCase("models: all", "modules.router.models")]
    [TestCase("strategy: fast est", "modules.router.strategy")]
    [TestCase("publish_interval: 5s", "modules.router.publish_interval")]
    [TestCase("publish_interval: 10ms", "modules.router.publish_interval")]
    [TestCase("publish_interval: 1s\n    peer_stale_after: 500ms", "modules.router.peer_stale_after")]
    [TestCase("first_token_timeout: soon", "modules.router.first_token_timeout")]
    [TestCase("allowed_fails: 0", "modules.router.allowed_fails")]
    [TestCase("cooldown: later", "modules.router.cooldown")]
    [TestCase("backends:\n      ol:\n        kind: vllm\n        url: http://127.0.0.1:11434", "modules.router.backends.ol.kind")]
    [TestCase("backends:\n      ol:\n        kind: ollama", "modules.router.backends.ol.url")]
    [TestCase("backends:\n      ol:\n        url: localhost:11434", "modules.router.backends.ol.url")]
    [TestCase("backends:\n      ol:\n        url: http://127.0.0.1:11434\n        slots: 0", "modules.router.backends.ol.slots")]
    [TestCase("backends:\n      ol:\n        url: http://127.0.0.1:11434\n        gpu: maybe", "modules.router.backends.ol.gpu")]
    [TestCase("backends: ollama", "modules.router.backends")]
    public void Read_BadValue_IsReportedUnderItsKey(string yaml, string key)
    {
        var config = ConfigFixture.Load(temp, $"modules:\n  router:\n    {yaml}\n");

        Assert.That(config.Report.Errors.Select(e => e.Key), Does.Contain(key));
    }

    [TestCase("keep_alive: 0")]
    [TestCase("keep_alive: -1")]
    [TestCase("keep_alive: 1h30m")]
    [TestCase("models:\n      big:\n        path: /models/big.gguf\n        context: 4096\n        threads: 8\n        parallel: 2\n        gpu_layers: -1")]
    [TestCase("strategy: least_busy")]
    [TestCase("strategy: LOCAL")]
    [TestCase("strategy: gpu-box-1")]
    [TestCase("publish_interval: 500ms\n    peer_stale_after: 3s\n    first_token_timeout: 20s\n    allowed_fails: 5\n    cooldown: 1m")]
    [TestCase("backends:\n      ol:\n        url: http://127.0.0.1:11434")]
    [TestCase("backends:\n      vllm:\n        kind: openai\n        url: https://10.0.0.5:8000\n        models: [llama3, qwen]\n        slots: 4\n        gpu: true")]
    public void Read_GoodValue_IsAccepted(string yaml)
    {
        var config = ConfigFixture.Load(temp, $"modules:\n  router:\n    {yaml}\n");

        Assert.That(config.Report.Errors, Is.Empty);
    }
}
