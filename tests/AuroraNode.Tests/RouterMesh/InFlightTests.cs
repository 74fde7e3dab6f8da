using AuroraNode.Modules.Router.Routing;
using Microsoft.Extensions.Time.Testing;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>How a node's published figures are brought up to date with the requests this node sent there itself.</summary>
public sealed class InFlightTests
{
    [Test]
    public void ChangeSince_SentAfterTheFigures_CountsAsMore()
    {
        var time = new FakeTimeProvider();
        var inFlight = new InFlight(time);
        var figures = time.GetUtcNow();
        time.Advance(TimeSpan.FromMilliseconds(10));

        using var a = inFlight.Begin("n", "m", 100);
        using var b = inFlight.Begin("n", "m", 100);
        using var other = inFlight.Begin("n", "other-model", 100);

        Assert.That(inFlight.ChangeSince("n", "m", figures), Is.EqualTo(2));
    }

    [Test]
    public void ChangeSince_RunningAtTheFiguresAndEndedSince_CountsAsLess()
    {
        var time = new FakeTimeProvider();
        var inFlight = new InFlight(time);
        var running = inFlight.Begin("n", "m", 100);
        time.Advance(TimeSpan.FromMilliseconds(10));
        var figures = time.GetUtcNow();
        time.Advance(TimeSpan.FromMilliseconds(10));

        running.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(inFlight.ChangeSince("n", "m", figures), Is.EqualTo(-1));
            Assert.That(inFlight.ChangeSince("n", "m", time.GetUtcNow()), Is.Zero, "figures published after it ended know it");
            Assert.That(inFlight.All(), Is.Empty);
        });
    }

    [Test]
    public void ChangeSince_SentJustBeforeTheFiguresStillOnItsWay_CountsAsMore()
    {
        var time = new FakeTimeProvider();
        var inFlight = new InFlight(time);
        using var onItsWay = inFlight.Begin("n", "m", 100);
        time.Advance(TimeSpan.FromMilliseconds(5));
        var figures = time.GetUtcNow();

        // 10 ms to the node: it had not arrived when the node made its figures, 5 ms after it was sent.
        Assert.Multiple(() =>
        {
            Assert.That(inFlight.ChangeSince("n", "m", figures, oneWayMs: 10), Is.EqualTo(1));
            Assert.That(inFlight.ChangeSince("n", "m", figures.AddMilliseconds(10), oneWayMs: 10), Is.Zero, "arrived by figures 10 ms later");
        });
    }

    [Test]
    public void ChangeSince_EndCameBackJustAfterTheFigures_HadLeftThemAlready()
    {
        var time = new FakeTimeProvider();
        var inFlight = new InFlight(time);
        var finished = inFlight.Begin("n", "m", 100);
        var finishedLater = inFlight.Begin("n", "m", 100);
        time.Advance(TimeSpan.FromMilliseconds(100));
        var figures = time.GetUtcNow();
        time.Advance(TimeSpan.FromMilliseconds(5));
        finished.Dispose();
        time.Advance(TimeSpan.FromMilliseconds(20));
        finishedLater.Dispose();

        // Its end took 10 ms to come back: the first ended on the node 5 ms before the figures, not in them, so it frees
        // no slot they show; the second ended on the node 15 ms after them.
        Assert.That(inFlight.ChangeSince("n", "m", figures, oneWayMs: 10), Is.EqualTo(-1));
    }

    [Test]
    public void BacklogMs_QueuedAndRunning_WholeWorkOfTheQueuedAndWhatTheRunningHaveLeft()
    {
        var time = new FakeTimeProvider();
        var inFlight = new InFlight(time);
        var size = new RequestSize(0, 100);
        using var running = inFlight.Begin("self", "m", 0, size);
        using var queued = inFlight.Begin("self", "m", 0, size);
        using var unsized = inFlight.Begin("self", "m", 0);
        using var otherModel = inFlight.Begin("self", "other", 0, size);
        running.TakeSlot();
        time.Advance(TimeSpan.FromMilliseconds(300));

        // 1000 ms of work each: the running one has held its slot 300 ms of it; a request of unknown size is not priced.
        Assert.That(inFlight.BacklogMs("self", "m", s => s.GenerationTokens * 10), Is.EqualTo(700 + 1000).Within(0.001));
    }

    [Test]
    public void BacklogMs_RunningPastItsEstimate_CountsItsOverrunAgain_EndedCountsNothing()
    {
        var time = new FakeTimeProvider();
        var inFlight = new InFlight(time);
        using var late = inFlight.Begin("self", "m", 0, new RequestSize(0, 100));
        var ended = inFlight.Begin("self", "m", 0, new RequestSize(0, 100));
        late.TakeSlot();
        time.Advance(TimeSpan.FromSeconds(5));
        ended.Dispose();

        // 1000 ms of work, 5000 ms in its slot: stuck, it is expected to hold the slot 4000 ms more.
        Assert.That(inFlight.BacklogMs("self", "m", s => s.GenerationTokens * 10), Is.EqualTo(4000).Within(0.001));
    }

    [Test]
    public void TakeSlot_Twice_KeepsTheFirstTime()
    {
        var time = new FakeTimeProvider();
        var inFlight = new InFlight(time);
        using var d = inFlight.Begin("self", "m", 0, new RequestSize(0, 100));
        d.TakeSlot();
        time.Advance(TimeSpan.FromMilliseconds(400));
        d.TakeSlot();

        Assert.That(inFlight.BacklogMs("self", "m", _ => 1000), Is.EqualTo(600).Within(0.001));
    }
}
