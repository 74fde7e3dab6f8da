using AuroraNode.Tests.Registry;
using AuroraNode.Tests.TestKit;
using StackExchange.Redis;

namespace AuroraNode.Tests.Replication;

/// <summary>
/// The lead cut off from the other nodes by the network (each node in a namespace of its own), not killed: its
/// PostgreSQL, Redis and Sentinel keep running on its side of the partition, yet it stops taking writes before the
/// backup promotes, and when the network heals it rejoins as the backup's replica, its Redis too.
/// </summary>
[NonParallelizable]
public sealed class PartitionTests
{
    [Test]
    public async Task LeadPartitionedWithItsRedis_FencesBeforeTheBackupPromotes_NoAcknowledgedCommitLost_RejoinsWhenHealed()
    {
        using var network = TestNetwork.Create();
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp, network: network);
        var (backup, compute, password) = await AddBackupAndComputeAsync(mesh);
        await using (var redis = await RedisOfAsync(mesh.Lead, password))
        {
            await RegistryTests.WaitUntilAsync(async () => await redis.GetDatabase().StringGetAsync("aurora:replication:sync") == "backup1");
        }

        // The test's namespace reaches both sides: the writer goes straight to the lead, as a client on its side would.
        await using var writer = await CommitWriter.StartAsync(mesh.Lead);
        var leadPostgres = NodeDatabase.PostmasterPid(mesh.Lead);
        var cutAt = writer.Clock.Elapsed;
        network.Partition("lead");

        await ReplicationViews.WaitForAsync(backup, ReplicationViews.IsPrimary, seconds: 40);
        var promotedBy = writer.Clock.Elapsed;
        Assert.That(Posix.IsAlive(leadPostgres), Is.False, "the lead's PostgreSQL was stopped (fenced) by the time the backup was primary");
        await writer.StopAsync();
        var lastOnLead = writer.Acknowledged.Max(a => a.At);
        await TestContext.Out.WriteLineAsync($"partitioned at {cutAt.TotalMilliseconds:0} ms; the lead's last acknowledged commit at {lastOnLead.TotalMilliseconds:0} ms; the backup was primary by {promotedBy.TotalMilliseconds:0} ms");
        Assert.That(lastOnLead, Is.LessThan(promotedBy));
        Assert.That(mesh.Lead.HasExited, Is.False, "the lead node itself keeps running");
        Assert.That(mesh.Lead.Output, Does.Contain("Cannot renew the leader lease"));
        await writer.AssertNoneLostOnAsync(backup);
        // Up to 15 s more plus a pg_rewind when the compute node got WAL from the lead that the backup never had.
        await ReplicationViews.WaitForAsync(compute, v => ReplicationViews.StreamsFrom(v, backup), seconds: 60);

        network.Heal("lead");
        await ReplicationViews.WaitForAsync(mesh.Lead, v => ReplicationViews.StreamsFrom(v, backup), seconds: 60);
        await using (var redis = await RedisOfAsync(mesh.Lead, password))
        {
            await RegistryTests.WaitUntilAsync(async () => (await redis.GetServer(mesh.Lead.Config.Address, mesh.Lead.Config.RedisPort).RoleAsync()).Value == "slave");
        }
    }

    [Test]
    public async Task SyncStandbyCutOffFromTheLeadOnly_CommitsGoOnAsynchronouslyWithAnAlert_NoFailover_SyncAgainWhenHealed()
    {
        using var network = TestNetwork.Create();
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp, network: network);
        var (backup, compute, _) = await AddBackupAndComputeAsync(mesh);

        await using var writer = await CommitWriter.StartAsync(mesh.Lead);
        var cutAt = writer.Clock.Elapsed;
        network.Partition("lead", "backup1");

        // Commits wait on the silent standby until postgres.replication_timeout (10 s) ends its stream, then go on.
        var deadline = cutAt + TimeSpan.FromSeconds(45);
        while (!writer.Acknowledged.Any(a => a.At > cutAt + TimeSpan.FromSeconds(11)) && writer.Clock.Elapsed < deadline)
        {
            await Task.Delay(250);
        }

        var acks = writer.Acknowledged.Select(a => a.At).Where(at => at > cutAt).Order().ToList();
        var stall = acks.Zip(acks.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
        await TestContext.Out.WriteLineAsync($"partitioned lead–backup at {cutAt.TotalMilliseconds:0} ms; longest wait between commits after it {stall.TotalMilliseconds:0} ms; {acks.Count} commits");
        Assert.That(acks.Any(at => at > cutAt + TimeSpan.FromSeconds(11)), Is.True, "commits go on without the synchronous standby");
        // The lead still holds the lease, renewed through its Redis with the compute node's replica acknowledging.
        Assert.That(ReplicationViews.IsPrimary(await backup.GetJsonAsync("/api/v1/replication")), Is.False, "the backup must not promote while the lead holds the lease");
        Assert.That(ReplicationViews.IsPrimary(await mesh.Lead.GetJsonAsync("/api/v1/replication")), Is.True);
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(mesh.Lead, "lead", "sync_standby_missing")).Contains("alert_raised"));
        await ReplicationViews.WaitForAsync(compute, v => ReplicationViews.StreamsFrom(v, mesh.Lead));

        network.Heal("lead", "backup1");
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"), seconds: 60);
        await writer.StopAsync();
        await writer.AssertNoneLostOnAsync(mesh.Lead);
    }

    // The default mesh: a backup (the synchronous standby, its Redis the lead's replica) and a compute node with a
    // Sentinel, so the lead, the backup and the compute node each run one.
    private static async Task<(NodeProcess Backup, NodeProcess Compute, string RedisPassword)> AddBackupAndComputeAsync(Mesh mesh)
    {
        var backup = await mesh.AddAsync("backup1", "backup");
        var compute = await mesh.AddAsync("compute1", "compute", c => c.Sections["redis"] = $"sentinel: true\nsentinel_port: {c.SentinelPort}");
        var password = Mesh.Credentials(mesh.Lead)["redis.password"];
        await SentinelFailoverTests.WaitForSentinelsAsync(mesh.Lead, password, others: 2, replicas: 1);
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"), seconds: 30);
        return (backup, compute, password);
    }

    private static Task<ConnectionMultiplexer> RedisOfAsync(NodeProcess node, string password) =>
        ConnectionMultiplexer.ConnectAsync($"{node.Config.Address}:{node.Config.RedisPort},password={password}");
}
