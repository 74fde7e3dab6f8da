using AuroraNode.Modules.Registry.HealthReports;

namespace AuroraNode.Tests.Registry;

public sealed class AlertRulesTests
{
    private static readonly HealthReportOptions Options = new(TimeSpan.FromSeconds(30), 60, 3, 90, 90, TimeSpan.FromSeconds(1));

    [TestCase("BBB", "--R")]
    [TestCase("BBBB", "--R-")]
    [TestCase("BBBG", "--RS")]
    [TestCase("BBGBBG", "------")]
    [TestCase("BBBGBBB", "--RS--R")]
    [TestCase("GGG", "---")]
    public void IncidentTracker_ConsecutiveBadSamples_RaiseOnceAndResolveOnce(string samples, string expected)
    {
        var tracker = new IncidentTracker(3);

        var changes = string.Concat(samples.Select(s => tracker.Observe(new AlertSample("n1", "disk_full", s == 'B', "")) switch
        {
            AlertChange.Raised => 'R',
            AlertChange.Resolved => 'S',
            _ => '-',
        }));

        Assert.That(changes, Is.EqualTo(expected));
    }

    [Test]
    public void IncidentTracker_KeepsNodesAndKindsApart()
    {
        var tracker = new IncidentTracker(1);

        Assert.That(tracker.Observe(new AlertSample("a", "disk_full", true, "")), Is.EqualTo(AlertChange.Raised));
        Assert.That(tracker.Observe(new AlertSample("b", "disk_full", true, "")), Is.EqualTo(AlertChange.Raised));
        Assert.That(tracker.Observe(new AlertSample("a", "memory_high", true, "")), Is.EqualTo(AlertChange.Raised));
        Assert.That(tracker.Open.Count(), Is.EqualTo(3));
    }

    [TestCase(95.0, 10.0, null, null, "disk_full")]
    [TestCase(10.0, 91.0, null, null, "memory_high")]
    [TestCase(10.0, 10.0, 2.5, null, "replication_lag")]
    [TestCase(10.0, 10.0, null, "failed", "module_failed")]
    public void Check_ValueOverThreshold_IsBadForItsKindOnly(double disk, double memory, double? lag, string? postgres, string badKind)
    {
        var report = new HealthReport("n1", DateTimeOffset.UtcNow, 5, memory, disk,
            new Dictionary<string, string?> { ["postgres"] = postgres ?? "running", ["redis"] = "running" }, lag);

        var bad = AlertRules.Check(report, Options).Where(s => s.Bad).Select(s => s.Kind);

        Assert.That(bad, Is.EqualTo(new[] { badKind }));
    }

    [Test]
    public void Check_UnknownValues_AreNotBad() =>
        Assert.That(AlertRules.Check(new HealthReport("n1", DateTimeOffset.UtcNow, null, null, null, null, null), Options).Any(s => s.Bad), Is.False);
}
