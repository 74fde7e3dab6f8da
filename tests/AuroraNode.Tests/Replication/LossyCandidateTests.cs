using AuroraNode.Modules.Postgres.Failover;

namespace AuroraNode.Tests.Replication;

/// <summary>Which replica may promote, losing what it lacks, when the lost primary had no synchronous standby.</summary>
public sealed class LossyCandidateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly FailoverOptions Options = FailoverOptions.Default with { AllowDataLoss = true, MaximumLagOnFailover = 1000 };

    // Positions as "node:lsn:secondsAgo"; the lost primary is "lead".
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("compute1", 5000L, null, new[] { "lead:5000:1", "compute2:4000:1" }, true, null).SetName("The most advanced replica promotes");
        yield return new TestCaseData("compute2", 4000L, null, new[] { "lead:5000:1", "compute1:5000:1" }, false, null).SetName("A replica behind another does not");
        yield return new TestCaseData("compute2", 5000L, null, new[] { "lead:5000:1", "compute1:5000:1" }, false, null).SetName("Of two equal replicas the lower name wins");
        yield return new TestCaseData("compute2", 4000L, null, new[] { "lead:4500:1", "compute1:9000:30" }, true, null).SetName("A replica that stopped reporting is not waited for");
        yield return new TestCaseData("compute1", 3000L, null, new[] { "lead:5000:1" }, false, "2000 bytes behind").SetName("Lagging more than maximum_lag_on_failover refuses with an alert");
        yield return new TestCaseData("compute1", 4000L, null, new[] { "lead:5000:1" }, true, null).SetName("Lagging exactly maximum_lag_on_failover promotes");
        yield return new TestCaseData("compute1", 5000L, "backup1", new[] { "lead:5000:1", "backup1:5000:1" }, false, null).SetName("A synchronous standby that still reports promotes instead");
        yield return new TestCaseData("compute1", 5000L, "backup1", new[] { "lead:5000:1", "backup1:5000:30" }, true, null).SetName("A synchronous standby gone too leaves the most advanced replica");
        yield return new TestCaseData("compute1", 5000L, null, Array.Empty<string>(), true, null).SetName("With no positions known the only live replica promotes");
    }

    [TestCaseSource(nameof(Cases))]
    public void Decide_LostPrimaryWithoutSyncStandby_OnlyTheBestReplicaWithinTheLagPromotes(string self, long selfLsn, string? sync, string[] positions, bool promote, string? refusal)
    {
        var known = positions.Select(p => p.Split(':')).Select(p => new WalPosition(p[0], long.Parse(p[1]), Now - TimeSpan.FromSeconds(int.Parse(p[2])))).ToList();
        var verdict = LossyCandidate.Decide(known, self, selfLsn, "lead", sync, Now, Options);
        Assert.That(verdict.Promote, Is.EqualTo(promote));
        if (refusal is null)
        {
            Assert.That(verdict.Refusal, Is.Null);
        }
        else
        {
            Assert.That(verdict.Refusal, Does.Contain(refusal).And.Contain("maximum_lag_on_failover"));
        }
    }
}
