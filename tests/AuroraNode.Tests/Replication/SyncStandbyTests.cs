using System.Diagnostics;
using System.Text.Json;
using AuroraNode.Tests.Registry;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;

namespace AuroraNode.Tests.Replication;

/// <summary>The backup is the primary's synchronous standby; a compute node stays asynchronous; losing the backup does not stop commits.</summary>
[NonParallelizable]
public sealed class SyncStandbyTests
{
    [Test]
    public async Task Backup_IsTheSyncStandby_UntilItStops_ThenCommitsGoOnWithAnAlert_AndItIsSyncAgainWhenBack()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp);
        var backup = await mesh.AddAsync("backup1", "backup");
        await mesh.AddAsync("compute1", "compute");

        await WaitForSyncStatesAsync(mesh.Lead, s => s.GetValueOrDefault("backup1") == "sync" && s.GetValueOrDefault("compute1") == "async");
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"));

        Assert.That(await backup.StopAsync(), Is.Zero);
        await RegistryTests.WaitUntilAsync(async () => await SettingAsync(mesh.Lead) == "");
        var view = await mesh.Lead.GetJsonAsync("/api/v1/replication");
        Assert.That(view.GetProperty("failover_candidate").ValueKind, Is.EqualTo(JsonValueKind.Null), $"a standby PostgreSQL no longer waits for is not trusted to promote: {view}");
        var clock = Stopwatch.StartNew();
        await using (var lead = await NodeDatabase.OpenAsync(mesh.Lead))
        {
            await lead.ExecuteAsync("CREATE TABLE IF NOT EXISTS public.sync_probe (at timestamptz); INSERT INTO public.sync_probe VALUES (now())");
        }

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the commit did not wait for the missing standby");
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(mesh.Lead, "lead", "sync_standby_missing")).Contains("alert_raised"));

        await using var again = new NodeProcess(backup.Config);
        await again.StartAndWaitReadyAsync();
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"));
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(mesh.Lead, "lead", "sync_standby_missing")).Contains("alert_resolved"));
    }

    private static async Task WaitForSyncStatesAsync(NodeProcess lead, Func<Dictionary<string, string?>, bool> condition)
    {
        var states = new Dictionary<string, string?>();
        await RegistryTests.WaitUntilAsync(async () =>
        {
            states = (await lead.GetJsonAsync("/api/v1/replication")).GetProperty("replicas").EnumerateArray()
                .ToDictionary(r => r.GetProperty("node").GetString()!, r => r.GetProperty("sync_state").ValueKind == JsonValueKind.String ? r.GetProperty("sync_state").GetString() : null);
            return condition(states);
        });
    }

    private static async Task<string> SettingAsync(NodeProcess node)
    {
        await using var conn = await NodeDatabase.OpenAsync(node);
        return await conn.ExecuteScalarAsync<string>("SELECT current_setting('synchronous_standby_names')") ?? "";
    }
}
