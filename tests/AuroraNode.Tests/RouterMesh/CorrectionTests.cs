using AuroraNode.Modules.Router.Routing;
using Microsoft.Extensions.Time.Testing;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>What the router learns from its own requests against the prior: actual / estimated, up to ×20, fading; measured figures rule.</summary>
public sealed class CorrectionTests
{
    // basis measured?, estimated ms, actual ms → factor after one request
    [TestCase(false, 10, 500, 20, TestName = "Record_PriorFarTooOptimistic_CorrectsUpToTwentyfold")]
    [TestCase(false, 100, 300, 3, TestName = "Record_PriorOptimistic_CorrectsByTheRatio")]
    [TestCase(false, 1000, 100, 0.1, TestName = "Record_PriorPessimistic_CorrectsDown")]
    [TestCase(true, 100, 300, 1, TestName = "Record_AgainstMeasuredFigures_TheyRule")]
    public void Record_OneRequest(bool measured, double estimated, double actual, double expected)
    {
        var corrections = new Corrections(new FakeTimeProvider());

        corrections.Record("n", "m", measured, estimated, actual);

        Assert.That(corrections.Of("n", "m", measured), Is.EqualTo(expected).Within(1e-9));
    }

    [Test]
    public void Of_LearnedAgainstThePrior_NotUsedOnceMeasuredFiguresCome()
    {
        var corrections = new Corrections(new FakeTimeProvider());

        corrections.Record("n", "m", measured: false, 10, 100);

        Assert.That((corrections.Of("n", "m", false), corrections.Of("n", "m", true)), Is.EqualTo((10.0, 1.0)));
    }

    [Test]
    public void Of_AfterAHalfLife_HalfwayBackToOne()
    {
        var time = new FakeTimeProvider();
        var corrections = new Corrections(time);
        corrections.Record("n", "m", measured: false, 100, 200);

        time.Advance(Corrections.HalfLife);

        Assert.That(corrections.Of("n", "m", false), Is.EqualTo(1.5).Within(1e-9));
    }

    [Test]
    public void Record_SecondRequest_MovingAverage()
    {
        var corrections = new Corrections(new FakeTimeProvider());

        corrections.Record("n", "m", measured: false, 100, 300);
        corrections.Record("n", "m", measured: false, 100, 100);

        Assert.That(corrections.Of("n", "m", false), Is.EqualTo(2).Within(1e-9));
    }
}
