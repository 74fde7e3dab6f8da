using AuroraNode.Tests.Registry;
using AuroraNode.Tests.TestKit;
using Dapper;

namespace AuroraNode.Tests.Replication;

/// <summary>
/// <c>postgres.sync_strict</c> across a failover: the backup promoted after the lead's death has no standby of its own
/// yet, and blocks commits until one streams, as the old primary would have, instead of taking them asynchronously.
/// </summary>
[NonParallelizable]
public sealed class StrictFailoverTests
{
    [Test]
    public async Task StrictLeadKilled_PromotedBackupBlocksCommitsUntilTheOldLeadStreamsAgain()
    {
        using var temp = new TempDirectory();
        await using var redis = await ExternalRedis.StartAsync(temp);
        void Strict(NodeConfigFile c)
        {
            c.Sections["redis"] = $"managed: false\nurl: {redis.Url}";
            c.Sections["postgres"] = $"port: {c.PostgresPort}\nstop_timeout: 10s\nsync_strict: true";
        }

        await using var mesh = await Mesh.StartAsync(temp, Strict);
        var backup = await mesh.AddAsync("backup1", "backup", Strict);
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"));
        await using (var conn = await NodeDatabase.OpenAsync(mesh.Lead))
        {
            await conn.ExecuteAsync("CREATE TABLE public.strict_probe (id int PRIMARY KEY)");
        }

        var leadPostgres = NodeDatabase.PostmasterPid(mesh.Lead);
        Assert.That(Posix.Kill(mesh.Lead.Pid, Posix.SigKill), Is.Zero);
        Assert.That(Posix.Kill(leadPostgres, Posix.SigKill), Is.Zero);
        await ReplicationViews.WaitForAsync(backup, ReplicationViews.IsPrimary, seconds: 30);

        // The commit is written locally, then waits for a synchronous standby: none streams.
        await using var writer = await NodeDatabase.OpenAsync(backup);
        var commit = writer.ExecuteAsync("INSERT INTO public.strict_probe VALUES (1)", commandTimeout: 120);
        await using (var observer = await NodeDatabase.OpenAsync(backup))
        {
            await RegistryTests.WaitUntilAsync(async () => await observer.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND query LIKE 'INSERT INTO public.strict_probe%')"));
        }

        Assert.That(commit.IsCompleted, Is.False, "the commit waits for a synchronous standby");

        var oldLead = mesh.Again(mesh.Lead);
        await oldLead.StartAndWaitReadyAsync();
        await ReplicationViews.WaitForAsync(backup, ReplicationViews.HasSyncStandby("lead"), seconds: 60);
        Assert.That(await commit.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(1), "the commit returns once the old lead streams as the standby");
        await using var replica = await NodeDatabase.OpenAsync(oldLead);
        await RegistryTests.WaitUntilAsync(async () => await replica.ExecuteScalarAsync<long>("SELECT count(*) FROM public.strict_probe") == 1);
    }
}
