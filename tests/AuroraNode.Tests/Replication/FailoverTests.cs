using AuroraNode.Tests.Registry;
using AuroraNode.Tests.TestKit;
using Dapper;

namespace AuroraNode.Tests.Replication;

/// <summary>
/// Automatic failover with real servers: a lead, a backup and a compute node, each with its own PostgreSQL, and a
/// Redis that outlives the lead (the default mesh, whose Redis dies with the lead, is in <see cref="SentinelFailoverTests"/>).
/// </summary>
[NonParallelizable]
public sealed class FailoverTests
{
    [Test]
    public async Task LeadKilledWhileAWriterCommits_BackupPromoted_NoAcknowledgedCommitLost_ComputeFollows_OldLeadRejoins()
    {
        using var temp = new TempDirectory();
        await using var redis = await ExternalRedis.StartAsync(temp);
        await using var mesh = await Mesh.StartAsync(temp, c => c.Sections["redis"] = $"managed: false\nurl: {redis.Url}");
        var backup = await mesh.AddAsync("backup1", "backup");
        var compute = await mesh.AddAsync("compute1", "compute");
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"));
        await using var writer = await CommitWriter.StartAsync(mesh.Lead, mesh.Lead, backup, compute);
        var leadPostgres = NodeDatabase.PostmasterPid(mesh.Lead);
        var killedAt = writer.Clock.Elapsed;
        Assert.That(Posix.Kill(mesh.Lead.Pid, Posix.SigKill), Is.Zero);
        Assert.That(Posix.Kill(leadPostgres, Posix.SigKill), Is.Zero);
        Assert.That(writer.Acknowledged.Count(a => a.Port == mesh.Lead.Config.PostgresPort), Is.GreaterThan(20), "the writer committed through the lead before it was killed");

        await ReplicationViews.WaitForAsync(backup, ReplicationViews.IsPrimary, seconds: 30);
        await RegistryTests.WaitUntilAsync(async () => writer.FirstAcknowledgedBy(backup.Config.PostgresPort) is not null);
        var failover = writer.FirstAcknowledgedBy(backup.Config.PostgresPort)!.Value - killedAt;
        await TestContext.Out.WriteLineAsync($"kill of the lead → first acknowledged commit on the new primary: {failover.TotalMilliseconds:0} ms");
        await Task.Delay(1000);
        await writer.StopAsync();

        await writer.AssertNoneLostOnAsync(backup);
        var acknowledged = writer.Acknowledged.Select(a => a.Id).ToList();
        await ReplicationViews.WaitForAsync(compute, v => ReplicationViews.StreamsFrom(v, backup), seconds: 30);
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(backup, "backup1", "failover")).Contains("alert_raised"));
        await RegistryTests.WaitUntilAsync(async () =>
            (await compute.GetJsonAsync("/nodes")).GetProperty("nodes").GetProperty("backup1").GetProperty("metadata").GetProperty("database").GetString() == "primary"
            && (await compute.GetJsonAsync("/topology")).GetProperty("connections").EnumerateArray()
                .Any(c => c.GetProperty("source").GetString() == "backup1" && c.GetProperty("target").GetString() == "compute1" && c.GetProperty("type").GetString() == "db_replication"));

        var oldLead = mesh.Track(new NodeProcess(mesh.Lead.Config));
        await oldLead.StartAndWaitReadyAsync();
        await ReplicationViews.WaitForAsync(oldLead, v => ReplicationViews.StreamsFrom(v, backup), seconds: 30);
        await using (var conn = await NodeDatabase.OpenAsync(oldLead))
        {
            var last = acknowledged.Max();
            await RegistryTests.WaitUntilAsync(async () => await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM public.commit_probe WHERE id = @last", new { last }) == 1);
        }

        await ReplicationViews.WaitForAsync(backup, ReplicationViews.HasSyncStandby("lead"), seconds: 30);
    }

    [Test]
    public async Task PrimaryCutOffFromRedis_StopsTakingWritesBeforeTheBackupPromotes_ThenRejoinsAsItsReplica()
    {
        using var temp = new TempDirectory();
        await using var redis = await ExternalRedis.StartAsync(temp);
        using var leadLink = new TcpProxy(redis.Port);
        await using var mesh = await Mesh.StartAsync(temp, c => c.Sections["redis"] = $"managed: false\nurl: redis://:{redis.Password}@127.0.0.1:{leadLink.Port}");
        var backup = await mesh.AddAsync("backup1", "backup", c => c.Sections["redis"] = $"managed: false\nurl: {redis.Url}");
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"));
        // Straight to the lead, not following a failover: what matters is when the lead stops acknowledging.
        await using var writer = await CommitWriter.StartAsync(mesh.Lead);
        var cutAt = writer.Clock.Elapsed;
        leadLink.Cut();

        await ReplicationViews.WaitForAsync(backup, ReplicationViews.IsPrimary, seconds: 30);
        var promotedBy = writer.Clock.Elapsed;
        await writer.StopAsync();
        var lastOnLead = writer.Acknowledged.Max(a => a.At);
        await TestContext.Out.WriteLineAsync($"cut at {cutAt.TotalMilliseconds:0} ms; the lead's last acknowledged commit at {lastOnLead.TotalMilliseconds:0} ms; the backup was primary by {promotedBy.TotalMilliseconds:0} ms");
        // Its last renewal was at most a loop (1 s) before the cut, so its lease could expire from 4 s (ttl 5 s) after it.
        Assert.That(lastOnLead, Is.LessThan(cutAt + TimeSpan.FromSeconds(4)), "the cut-off lead took no write once its lease could have expired");
        Assert.That(lastOnLead, Is.LessThan(promotedBy));
        Assert.That(mesh.Lead.HasExited, Is.False, "the lead node itself keeps running");
        Assert.That(mesh.Lead.Output, Does.Contain("Cannot renew the leader lease"));

        await writer.AssertNoneLostOnAsync(backup);

        leadLink.Restore();
        await ReplicationViews.WaitForAsync(mesh.Lead, v => ReplicationViews.StreamsFrom(v, backup), seconds: 60);
    }
}
