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
    public void Read_BadValue_IsReportedUnderItsKey(string yaml, string key)
    {
        var config = ConfigFixture.Load(temp, $"modules:\n  router:\n    {yaml}\n");

        Assert.That(config.Report.Errors.Select(e => e.Key), Does.Contain(key));
    }

    [TestCase("keep_alive: 0")]
    [TestCase("keep_alive: -1")]
    [TestCase("keep_alive: 1h30m")]
    [TestCase("models:\n      big:\n        path: /models/big.gguf\n        context: 4096\n        threads: 8\n        parallel: 2\n        gpu_layers: -1")]
    public void Read_GoodValue_IsAccepted(string yaml)
    {
        var config = ConfigFixture.Load(temp, $"modules:\n  router:\n    {yaml}\n");

        Assert.That(config.Report.Errors, Is.Empty);
    }
}
