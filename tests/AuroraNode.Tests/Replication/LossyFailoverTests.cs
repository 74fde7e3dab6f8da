using AuroraNode.Tests.Registry;
using AuroraNode.Tests.TestKit;
using Dapper;

namespace AuroraNode.Tests.Replication;

/// <summary>
/// A lead with only an asynchronous replica dies: by default nobody promotes (the replica may lack acknowledged
/// commits) and an alert goes out; with <c>postgres.failover_allow_loss</c> the replica promotes.
/// </summary>
[NonParallelizable]
public sealed class LossyFailoverTests
{
    [Test]
    public async Task LeadKilledWithoutSyncStandby_ByDefault_ReplicaStaysAReplicaAndAlerts()
    {
        using var temp = new TempDirectory();
        await using var redis = await ExternalRedis.StartAsync(temp);
        await using var mesh = await Mesh.StartAsync(temp, c => c.Sections["redis"] = $"managed: false\nurl: {redis.Url}");
        var compute = await mesh.AddAsync("compute1", "compute");
        await ReplicateRowsAsync(mesh.Lead, compute);

        KillLead(mesh);
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(compute, "compute1", "no_failover_candidate")).Contains("alert_raised"));
        await Task.Delay(TimeSpan.FromSeconds(3)); // Three more loops in which it could have promoted.

        var view = await compute.GetJsonAsync("/api/v1/replication");
        Assert.That(view.GetProperty("role").GetString(), Is.EqualTo("replica"));
        Assert.That(compute.Output, Does.Contain("failover_allow_loss is false"));
    }

    [Test]
    public async Task LeadKilledWithoutSyncStandby_FailoverAllowLoss_ReplicaPromotesWithTheRowsItHad()
    {
        using var temp = new TempDirectory();
        await using var redis = await ExternalRedis.StartAsync(temp);
        await using var mesh = await Mesh.StartAsync(temp, c => c.Sections["redis"] = $"managed: false\nurl: {redis.Url}");
        var compute = await mesh.AddAsync("compute1", "compute", c => c.Sections["postgres"] = $"port: {c.PostgresPort}\nstop_timeout: 10s\nfailover_allow_loss: true");
        var rows = await ReplicateRowsAsync(mesh.Lead, compute);

        KillLead(mesh);
        await ReplicationViews.WaitForAsync(compute, ReplicationViews.IsPrimary, seconds: 30);
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(compute, "compute1", "failover")).Contains("alert_raised"));
        Assert.That(compute.Output, Does.Contain("Promoting without a synchronous standby"));

        await using var conn = await NodeDatabase.OpenAsync(compute);
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM public.lossy_probe"), Is.EqualTo(rows));
        await conn.ExecuteAsync("INSERT INTO public.lossy_probe SELECT 0"); // Takes writes now.
    }

    private static void KillLead(Mesh mesh)
    {
        var postgres = NodeDatabase.PostmasterPid(mesh.Lead);
        Assert.That(Posix.Kill(mesh.Lead.Pid, Posix.SigKill), Is.Zero);
        Assert.That(Posix.Kill(postgres, Posix.SigKill), Is.Zero);
    }

    // Rows committed on the lead and replayed on the replica before the lead dies: nothing is lost either way.
    private static async Task<long> ReplicateRowsAsync(NodeProcess lead, NodeProcess replica)
    {
        await ReplicationViews.WaitForAsync(replica, v => v.GetProperty("state").GetString() == "streaming");
        await using (var conn = await NodeDatabase.OpenAsync(lead))
        {
            await conn.ExecuteAsync("CREATE TABLE public.lossy_probe (id int); INSERT INTO public.lossy_probe SELECT g FROM generate_series(1, 100) g");
        }

        await using var copy = await NodeDatabase.OpenAsync(replica);
        await RegistryTests.WaitUntilAsync(async () =>
            await copy.ExecuteScalarAsync<bool>("SELECT to_regclass('public.lossy_probe') IS NOT NULL")
            && await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM public.lossy_probe") == 100);
        return 100;
    }
}
