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
}
