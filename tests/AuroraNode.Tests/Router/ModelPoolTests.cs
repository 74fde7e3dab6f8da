using AuroraNode.Modules.Router;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Tests.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AuroraNode.Tests.Router;

/// <summary>The pool in this process with a fake clock: lazy load, keep-alive expiry, the queue bound.</summary>
public sealed class ModelPoolTests
{
    private TempDirectory temp = null!;
    private FakeTimeProvider time = null!;

    [SetUp]
    public void SetUp()
    {
        LlamaTestLibrary.Load();
        temp = new TempDirectory();
        TinyGguf.Write(temp.Combine("tiny.gguf"));
        time = new FakeTimeProvider(DateTimeOffset.UtcNow);
    }

    [TearDown]
    public void TearDown() => temp.Dispose();

    [Test]
    public async Task Sweep_IdlePastKeepAlive_Unloads()
    {
        using var pool = Pool(queueLimit: 1);
        var tiny = pool.Resolve("tiny:latest")!;
        using (var lease = await pool.AcquireAsync(tiny, TimeSpan.FromMinutes(5), default))
        {
            Assert.That(lease.LoadDuration, Is.GreaterThan(TimeSpan.Zero));
        }

        time.Advance(TimeSpan.FromMinutes(4));
        pool.Sweep();
        Assert.That(pool.Loaded(), Has.Count.EqualTo(1), "still within keep_alive");

        time.Advance(TimeSpan.FromMinutes(2));
        pool.Sweep();
        Assert.That(pool.Loaded(), Is.Empty);
    }

    [Test]
    public async Task Sweep_ModelInUse_StaysLoaded()
    {
        using var pool = Pool(queueLimit: 1);
        using var lease = await pool.AcquireAsync(pool.Resolve("tiny")!, TimeSpan.Zero, default);

        time.Advance(TimeSpan.FromHours(1));
        pool.Sweep();

        Assert.That(pool.Loaded(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Acquire_SecondRequest_ReusesTheLoadedModel()
    {
        using var pool = Pool(queueLimit: 1);
        var tiny = pool.Resolve("tiny")!;
        using (await pool.AcquireAsync(tiny, null, default))
        {
        }

        using var second = await pool.AcquireAsync(tiny, null, default);

        Assert.That(second.LoadDuration, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task Acquire_QueueFull_Throws()
    {
        using var pool = Pool(queueLimit: 0);
        var tiny = pool.Resolve("tiny")!;
        using var first = await pool.AcquireAsync(tiny, null, default);

        var e = await Assert.ThrowsAsync<QueueFullException>(() => pool.AcquireAsync(tiny, null, default));

        Assert.That(e!.RetryAfter, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(pool.Loaded().Single().Users, Is.EqualTo(1));
    }

    [Test]
    public async Task Acquire_BrokenFile_FailsAndLeavesNothingLoaded()
    {
        File.WriteAllText(temp.Combine("broken.gguf"), "not a model");
        using var pool = Pool(queueLimit: 1);

        await Assert.ThrowsAsync<LlamaException>(() => pool.AcquireAsync(pool.Resolve("broken")!, null, default));

        Assert.That(pool.Loaded(), Is.Empty);
    }

    private ModelPool Pool(int queueLimit) =>
        new(new RouterOptions(new LlamaOptions(LlamaTestLibrary.Directory, temp.Path), TimeSpan.FromMinutes(5), 1, queueLimit, 2, 256, new Dictionary<string, ModelSettings>(), [], AuroraNode.Modules.Router.Routing.RoutingOptions.Default),
            time, NullLogger<ModelPool>.Instance);
}
