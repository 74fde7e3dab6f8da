using AuroraNode.Modules.Credentials;
using Microsoft.Extensions.Time.Testing;

namespace AuroraNode.Tests.Credentials;

/// <summary>The probed password a pending rotation's clients remember: only while recent and still one of the two.</summary>
public sealed class TakenPasswordTests
{
    [TestCase("planned", 0, "current", "planned", "planned", TestName = "Recall_PlannedTakenJustNow_IsPlanned")]
    [TestCase("current", 2.9, "current", "planned", "current", TestName = "Recall_CurrentTakenWithinTheWindow_IsCurrent")]
    [TestCase("planned", 3, "current", "planned", null, TestName = "Recall_WindowPassed_IsNothing_SoTheServerIsProbedAgain")]
    [TestCase("planned", 0, "current", "another", null, TestName = "Recall_RotationMovedOn_OldAnswerIsNotOneOfTheTwo_IsNothing")]
    [TestCase("planned", 0, "planned", "next", "planned", TestName = "Recall_PlannedBecameCurrent_StillGiven")]
    public void Recall_Table(string remembered, double secondsLater, string current, string planned, string? expected)
    {
        var time = new FakeTimeProvider();
        var taken = new TakenPassword(time);
        taken.Remember(remembered);
        time.Advance(TimeSpan.FromSeconds(secondsLater));

        Assert.That(taken.Recall(current, planned), Is.EqualTo(expected));
    }

    [Test]
    public void Recall_NothingRemembered_IsNothing() =>
        Assert.That(new TakenPassword(new FakeTimeProvider()).Recall("current", "planned"), Is.Null);
}
