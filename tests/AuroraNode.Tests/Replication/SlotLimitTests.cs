using AuroraNode.Tests.Registry;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;

namespace AuroraNode.Tests.Replication;

/// <summary>
/// A replica that stays away while the primary writes: its slot nears <c>max_slot_wal_keep_size</c>, then loses
/// the WAL it needed. The primary alerts at both steps and the replica clones anew when it returns.
/// </summary>
[NonParallelizable]
public sealed class SlotLimitTests
{
    private const long SegmentBytes = 16 * 1024 * 1024;

    [Test]
    public async Task ReplicaAwayPastTheSlotBound_PrimaryAlerts_ReplicaClonesAnewOnReturn()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp, c => c.Sections["postgres"] = $"port: {c.PostgresPort}\nstop_timeout: 10s\nmax_slot_wal_keep_size: 64MB\nslot_alert_percent: 50");
        var laptop = await mesh.AddAsync("laptop", "compute");
        await ReplicationViews.WaitForAsync(laptop, v => v.GetProperty("state").GetString() == "streaming");
        await using var lead = await NodeDatabase.OpenAsync(mesh.Lead);
        await lead.ExecuteAsync("CREATE TABLE public.slot_probe (value text)");
        Assert.That(await laptop.StopAsync(), Is.Zero);

        await FillSegmentsAsync(lead, 3); // 48 MB held back: over 50 % of the bound.
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(mesh.Lead, "lead", "replication_slot_near_limit")).Contains("alert_raised"));

        await FillSegmentsAsync(lead, 4);
        await lead.ExecuteAsync(new CommandDefinition("CHECKPOINT", commandType: System.Data.CommandType.Text)); // The checkpoint is where PostgreSQL gives up a slot past the bound.
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(mesh.Lead, "lead", "replication_slot_lost")).Contains("alert_raised"));
        Assert.That(await lead.ExecuteScalarAsync<string>("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'replica_laptop'"), Is.EqualTo("lost"));
        await lead.ExecuteAsync("INSERT INTO public.slot_probe VALUES ('written while the laptop was away')");

        var returned = mesh.Track(new NodeProcess(laptop.Config));
        await returned.StartAndWaitReadyAsync();
        // The row written while it was away arrives only with the fresh clone, which restarts the server meanwhile.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await RowsOnAsync(returned) != 1)
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(90)), "the returning replica never got the row written while it was away");
            await Task.Delay(250);
        }

        await ReplicationViews.WaitForAsync(returned, v => v.GetProperty("state").GetString() == "streaming", seconds: 30);

        Assert.That(Directory.Exists(Path.Combine(laptop.Config.DataDir, "postgres.diverged")), Is.True, "the stale copy is kept aside, not deleted");
        await RegistryTests.WaitUntilAsync(async () => (await RegistryTests.AlertsAsync(mesh.Lead, "lead", "replication_slot_lost")).Contains("alert_resolved"));
        Assert.That(await RegistryTests.AlertsAsync(mesh.Lead, "lead", "replication_slot_dropped"), Is.Empty, "a lost slot replaced by a fresh clone is no drop");
    }

    private static async Task<long?> RowsOnAsync(NodeProcess node)
    {
        try
        {
            await using var conn = await NodeDatabase.OpenAsync(node);
            return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM public.slot_probe");
        }
        catch (NpgsqlException)
        {
            return null; // Restarting for the clone.
        }
    }

    // A switch after a little activity moves the WAL to the next 16 MB segment: cheap, and the slot retains it all.
    private static async Task FillSegmentsAsync(NpgsqlConnection conn, int segments)
    {
        var before = await conn.ExecuteScalarAsync<long>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
        for (var i = 0; i < segments; i++)
        {
            await conn.ExecuteAsync("INSERT INTO public.slot_probe SELECT 'filler' FROM generate_series(1, 10); DELETE FROM public.slot_probe WHERE value = 'filler'");
            await conn.ExecuteAsync("SELECT pg_switch_wal()");
        }

        var after = await conn.ExecuteScalarAsync<long>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
        Assert.That(after - before, Is.GreaterThanOrEqualTo((segments - 1) * SegmentBytes), "the WAL moved on by whole segments");
    }
}
