using AuroraNode.Modules.Router.Llama;

namespace AuroraNode.Tests.Llama;

public sealed class DecodeThreadTests
{
    [Test]
    public async Task RunAsync_OneAfterAnother_RunOnTheSameLongLivedThread()
    {
        var decoder = new DecodeThread("test decode");
        var threads = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            await decoder.RunAsync(() => threads.Add(Environment.CurrentManagedThreadId));
        }

        Assert.That(threads.Distinct().Count(), Is.EqualTo(1), "one thread, not one per run");
        Assert.That(threads[0], Is.Not.EqualTo(Environment.CurrentManagedThreadId));
    }

    [Test]
    public async Task RunAsync_ActionThrows_ItsTaskFails_AndTheNextRunStillRuns()
    {
        var decoder = new DecodeThread("test decode");
        var failed = decoder.RunAsync(() => throw new InvalidOperationException("boom"));
        var ran = false;
        var next = decoder.RunAsync(() => ran = true);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
        await next;
        Assert.Multiple(() =>
        {
            Assert.That(e!.Message, Is.EqualTo("boom"));
            Assert.That(ran, Is.True);
        });
    }
}
