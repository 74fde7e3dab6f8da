using AuroraNode.Modules.Configuration;

namespace AuroraNode.Tests.Configuration;

public sealed class DurationsTests
{
    [TestCase("500ms", 500)]
    [TestCase("10s", 10_000)]
    [TestCase("2m", 120_000)]
    [TestCase("72h", 259_200_000)]
    [TestCase("7d", 604_800_000)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("1.5s", 1_500)]
    [TestCase(" 2M ", 120_000)]
    public void TryParse_ValidDuration_GivesMilliseconds(string text, long expectedMs)
    {
        Assert.That(Durations.TryParse(text, out var value), Is.True);
        Assert.That(value.TotalMilliseconds, Is.EqualTo(expectedMs));
    }

    [TestCase("")]
    [TestCase("10")]
    [TestCase("ten seconds")]
    [TestCase("10x")]
    [TestCase("-5s")]
    [TestCase("5s garbage")]
    public void TryParse_NotADuration_IsRefused(string text) =>
        Assert.That(Durations.TryParse(text, out _), Is.False);
}
