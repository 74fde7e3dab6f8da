using AuroraNode.Modules.Postgres.Replication;

namespace AuroraNode.Tests.Replication;

/// <summary>The rules that turn the primary's slots into one alert per incident.</summary>
public sealed class SlotAlertsTests
{
    private const long Limit = 100 * 1024 * 1024;
    private const long Mib = 1024 * 1024;

    private static SlotSample Slot(long retainedMib, string status = "reserved", string name = "replica_laptop") => new(name, status, retainedMib * Mib);

    // Each case: the slots seen check after check, and the alerts expected after the last check only.
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(new[] { new[] { Slot(10) } }, Array.Empty<string>()).SetName("A slot well under the bound raises nothing");
        yield return new TestCaseData(new[] { new[] { Slot(85) } }, new[] { "+replication_slot_near_limit" }).SetName("A slot at 85% of the bound raises near_limit");
        yield return new TestCaseData(new[] { new[] { Slot(85) }, new[] { Slot(90) } }, Array.Empty<string>()).SetName("A slot still near the bound raises nothing more");
        yield return new TestCaseData(new[] { new[] { Slot(85) }, new[] { Slot(5) } }, new[] { "-replication_slot_near_limit" }).SetName("A slot back under the bound resolves near_limit");
        yield return new TestCaseData(new[] { new[] { Slot(10, "unreserved") } }, new[] { "+replication_slot_near_limit" }).SetName("An unreserved slot is near the bound whatever it retains");
        yield return new TestCaseData(new[] { new[] { Slot(85) }, new[] { new SlotSample("replica_laptop", "lost", null) } }, new[] { "-replication_slot_near_limit", "+replication_slot_lost" }).SetName("A near slot that loses its WAL resolves near_limit and raises lost");
        yield return new TestCaseData(new[] { new[] { new SlotSample("replica_laptop", "lost", null) }, Array.Empty<SlotSample>() }, new[] { "-replication_slot_lost" }).SetName("A lost slot dropped for a fresh clone resolves lost and raises no drop");
        yield return new TestCaseData(new[] { new[] { new SlotSample("replica_laptop", "lost", null) }, new[] { Slot(0) } }, new[] { "-replication_slot_lost" }).SetName("A lost slot recreated between checks resolves lost");
        yield return new TestCaseData(new[] { new[] { Slot(10) }, Array.Empty<SlotSample>() }, new[] { "+replication_slot_dropped" }).SetName("A healthy slot that disappears raises dropped");
        yield return new TestCaseData(new[] { new[] { Slot(10) }, Array.Empty<SlotSample>(), Array.Empty<SlotSample>() }, Array.Empty<string>()).SetName("A dropped slot raises dropped once");
        yield return new TestCaseData(new[] { new[] { Slot(10) }, Array.Empty<SlotSample>(), new[] { Slot(0) } }, new[] { "-replication_slot_dropped" }).SetName("A dropped slot created again resolves dropped");
        yield return new TestCaseData(new[] { new[] { Slot(10), Slot(95, name: "replica_compute1") } }, new[] { "+replication_slot_near_limit@replica_compute1" }).SetName("Only the slot near the bound raises");
    }

    [TestCaseSource(nameof(Cases))]
    public void Evaluate_SlotHistory_OneAlertPerIncident(object history, string[] expected)
    {
        var checks = (SlotSample[][])history; // SlotSample is internal to the module; NUnit's public method takes it as object.
        var alerts = new SlotAlerts(nearPercent: 80);
        IReadOnlyList<SlotAlert> last = [];
        foreach (var check in checks)
        {
            last = alerts.Evaluate(check, Limit);
        }

        var seen = last.Select(a => (a.Raised ? "+" : "-") + a.Kind + (a.Slot == "replica_laptop" ? "" : "@" + a.Slot));
        Assert.That(seen, Is.EqualTo(expected));
    }

    [Test]
    public void Evaluate_UnboundedSlots_NeverNearTheLimit()
    {
        var alerts = new SlotAlerts(nearPercent: 80);
        Assert.That(alerts.Evaluate([Slot(100_000)], limitBytes: null), Is.Empty);
    }

    [Test]
    public void Evaluate_Raised_DetailNamesTheReplicaAndTheBound()
    {
        var alert = new SlotAlerts(nearPercent: 80).Evaluate([Slot(90)], Limit).Single();
        Assert.That(alert.Detail, Does.Contain("laptop").And.Contain("max_slot_wal_keep_size").And.Contain("100 MiB"));
        Assert.That(alert.Severity, Is.EqualTo("warning"));
    }

    [Test]
    public void Reset_AfterDemotion_ForgetsOpenIncidents()
    {
        var alerts = new SlotAlerts(nearPercent: 80);
        alerts.Evaluate([Slot(90)], Limit);
        alerts.Reset();
        Assert.That(alerts.Evaluate([], Limit), Is.Empty, "no drop raised for slots of an earlier term as primary");
    }
}
