using System.Net;
using AuroraNode.Tests.Registry;
using AuroraNode.Tests.TestKit;
using Dapper;
using StackExchange.Redis;

namespace AuroraNode.Tests.Replication;

/// <summary>
/// The default mesh, where the lead runs the Redis: the backup runs its replica, and the lead, the backup and a
/// compute node run the Sentinel trio. Losing the whole lead machine (node, PostgreSQL, Redis, Sentinel) costs no
/// acknowledged commit.
/// </summary>
[NonParallelizable]
public sealed class SentinelFailoverTests
{
    [Test]
    public async Task LeadNodeItsPostgresAndItsRedisKilled_WhileAWriterCommits_BothFailOverToTheBackup_NoAcknowledgedCommitLost()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp);
        var backup = await mesh.AddAsync("backup1", "backup");
        var compute = await mesh.AddAsync("compute1", "compute", c => c.Sections["redis"] = $"sentinel: true\nsentinel_port: {c.SentinelPort}");
        var password = Mesh.Credentials(mesh.Lead)["redis.password"];
        await WaitForSentinelsAsync(mesh.Lead, password, others: 2, replicas: 1);
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"), seconds: 30);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{mesh.Lead.Config.RedisPort},password={password}"))
        {
            await RegistryTests.WaitUntilAsync(async () => await redis.GetDatabase().StringGetAsync("aurora:replication:sync") == "backup1");
        }

        await using var writer = await CommitWriter.StartAsync(mesh.Lead, mesh.Lead, backup, compute);
        var pids = new[] { mesh.Lead.Pid, NodeDatabase.PostmasterPid(mesh.Lead), PidFile(mesh.Lead, "redis", "redis.pid"), PidFile(mesh.Lead, "sentinel", "sentinel.pid") };
        var killedAt = writer.Clock.Elapsed;
        foreach (var pid in pids)
        {
            Assert.That(Posix.Kill(pid, Posix.SigKill), Is.Zero);
        }

        await ReplicationViews.WaitForAsync(backup, ReplicationViews.IsPrimary, seconds: 40);
        await RegistryTests.WaitUntilAsync(async () => writer.FirstAcknowledgedBy(backup.Config.PostgresPort) is not null);
        var failover = writer.FirstAcknowledgedBy(backup.Config.PostgresPort)!.Value - killedAt;
        await TestContext.Out.WriteLineAsync($"kill of the lead machine → first acknowledged commit on the new primary: {failover.TotalMilliseconds:0} ms");
        await writer.StopAsync();

        await writer.AssertNoneLostOnAsync(backup);

        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{backup.Config.RedisPort},password={password}"))
        {
            Assert.That((await redis.GetServer("127.0.0.1", backup.Config.RedisPort).RoleAsync()).Value, Is.EqualTo("master"), "the Sentinels promoted the backup's Redis");
        }

        await ReplicationViews.WaitForAsync(compute, v => ReplicationViews.StreamsFrom(v, backup), seconds: 30);
        Assert.That(await compute.IsReadyAsync(), Is.True, "the compute node's Redis client follows the new master");

        var oldLead = mesh.Track(new NodeProcess(mesh.Lead.Config));
        await oldLead.StartAndWaitReadyAsync();
        await ReplicationViews.WaitForAsync(oldLead, v => ReplicationViews.StreamsFrom(v, backup), seconds: 40);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{mesh.Lead.Config.RedisPort},password={password}"))
        {
            await RegistryTests.WaitUntilAsync(async () => (await redis.GetServer("127.0.0.1", mesh.Lead.Config.RedisPort).RoleAsync()).Value == "slave");
        }
    }

    private static int PidFile(NodeProcess node, string folder, string file) =>
        int.Parse(File.ReadLines(Path.Combine(node.Config.DataDir, folder, file)).First());

    internal static async Task WaitForSentinelsAsync(NodeProcess node, string password, int others, int replicas)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(node.Config.Address), node.Config.SentinelPort);
        await using var sentinel = await ConnectionMultiplexer.SentinelConnectAsync(new ConfigurationOptions { EndPoints = { endpoint }, Password = password });
        var server = sentinel.GetServer(endpoint);
        await RegistryTests.WaitUntilAsync(async () =>
            (await server.SentinelSentinelsAsync("aurora")).Length == others && (await server.SentinelReplicasAsync("aurora")).Length == replicas);
    }
}
