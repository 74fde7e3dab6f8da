using AuroraNode.Modules.Postgres.Failover;

namespace AuroraNode.Tests.Replication;

/// <summary>When the lead's lease renewal need not wait for a Redis replica: every listed replica behind and silent for 2 s.</summary>
public sealed class ReplicaAcksTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    [Test]
    public void AReplicaThatStopsAcknowledging_IsSilentAfterTwoSeconds()
    {
        var acks = new ReplicaAcks(TimeSpan.FromSeconds(2));

        Assert.Multiple(() =>
        {
            Assert.That(acks.AllSilent(100, [("b:1", 100)], T0), Is.False, "caught up");
            Assert.That(acks.AllSilent(200, [("b:1", 100)], T0.AddSeconds(1)), Is.False, "behind for a moment");
            Assert.That(acks.AllSilent(300, [("b:1", 100)], T0.AddSeconds(2)), Is.True, "no ack moved for 2 s while the master wrote");
            Assert.That(acks.AllSilent(300, [("b:1", 300)], T0.AddSeconds(3)), Is.False, "it acknowledged again");
        });
    }

    [Test]
    public void OneLiveReplica_AmongSilentOnes_IsWaitedFor()
    {
        var acks = new ReplicaAcks(TimeSpan.FromSeconds(2));
        acks.AllSilent(100, [("b:1", 100), ("c:1", 100)], T0);

        Assert.That(acks.AllSilent(300, [("b:1", 100), ("c:1", 300)], T0.AddSeconds(5)), Is.False);
        Assert.That(acks.AllSilent(400, [("b:1", 100), ("c:1", 300)], T0.AddSeconds(8)), Is.True);
    }

    [Test]
    public void AnIdleMaster_ItsReplicaCaughtUp_IsNotSilent()
    {
        var acks = new ReplicaAcks(TimeSpan.FromSeconds(2));
        acks.AllSilent(100, [("b:1", 100)], T0);

        Assert.That(acks.AllSilent(100, [("b:1", 100)], T0.AddMinutes(1)), Is.False);
    }

    [Test]
    public void AReplicaSeenForTheFirstTime_IsNotSilentYet() =>
        Assert.That(new ReplicaAcks(TimeSpan.FromSeconds(2)).AllSilent(500, [("b:1", 100)], T0.AddHours(1)), Is.False);

    [Test]
    public void NoReplicaListed_IsNotSilent() =>
        Assert.That(new ReplicaAcks(TimeSpan.FromSeconds(2)).AllSilent(100, [], T0), Is.False);
}
