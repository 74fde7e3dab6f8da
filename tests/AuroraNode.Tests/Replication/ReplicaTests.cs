using System.Diagnostics;
using System.Text.Json;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;

namespace AuroraNode.Tests.Replication;

/// <summary>A node that joins the lead clones the lead's PostgreSQL and streams from it: real servers, real node processes.</summary>
[NonParallelizable]
public sealed class ReplicaTests
{
    private TempDirectory _temp = null!;
    private Mesh _mesh = null!;
    private NodeProcess _compute = null!;

    [OneTimeSetUp]
    public async Task StartMesh()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp);
        _compute = await _mesh.AddAsync("compute1", "compute");
    }

    [OneTimeTearDown]
    public async Task StopMesh()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Test]
    public async Task JoinedNode_IsAStreamingReplica_WithItsOwnSlotOnThePrimary()
    {
        var replica = await ReplicationViews.WaitForAsync(_compute, r => r.GetProperty("state").GetString() == "streaming");
        Assert.That(replica.GetProperty("role").GetString(), Is.EqualTo("replica"));
        Assert.That(replica.GetProperty("primary").GetString(), Is.EqualTo($"127.0.0.1:{_mesh.Lead.Config.PostgresPort}"));

        var primary = await ReplicationViews.WaitForAsync(_mesh.Lead, r => r.GetProperty("replicas").EnumerateArray().Any(x => x.GetProperty("state").GetString() == "streaming"));
        Assert.That(primary.GetProperty("role").GetString(), Is.EqualTo("primary"));
        var entry = primary.GetProperty("replicas").EnumerateArray().Single();
        Assert.That(entry.GetProperty("node").GetString(), Is.EqualTo("compute1"));
        Assert.That(entry.GetProperty("slot").GetString(), Is.EqualTo("replica_compute1"));
        Assert.That(entry.GetProperty("sync_state").GetString(), Is.EqualTo("async"));
    }

    [Test]
    public async Task RowCommittedOnTheLead_IsVisibleOnTheReplica()
    {
        var value = Guid.NewGuid().ToString("N");
        await using (var lead = await NodeDatabase.OpenAsync(_mesh.Lead))
        {
            await lead.ExecuteAsync("CREATE TABLE IF NOT EXISTS public.replication_probe (value text)");
            await lead.ExecuteAsync("INSERT INTO public.replication_probe VALUES (@value)", new { value });
        }

        await using var replica = await NodeDatabase.OpenAsync(_compute);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                if (await replica.ExecuteScalarAsync<long>("SELECT count(*) FROM public.replication_probe WHERE value = @value", new { value }) == 1)
                {
                    return;
                }
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // The table's creation has not been replayed yet.
            }

            await Task.Delay(20);
        }

        Assert.Fail("the row never reached the replica");
    }

    [Test]
    public async Task ReplicaNode_WritesGoToThePrimary()
    {
        await using var lead = await NodeDatabase.OpenAsync(_mesh.Lead);

        var starts = await lead.ExecuteScalarAsync<long>("SELECT count(*) FROM node.starts WHERE node_name = 'compute1'");

        Assert.That(starts, Is.GreaterThanOrEqualTo(1), "the compute node recorded its start through its writes data source");
    }

    [Test]
    public async Task HealthReportAndMetrics_OfTheReplica_CarryItsLag()
    {
        JsonElement report = default;
        await Registry.RegistryTests.WaitUntilAsync(async () =>
            (await _mesh.Lead.GetJsonAsync("/api/health-report")).GetProperty("nodes").TryGetProperty("compute1", out var node)
            && (report = node.GetProperty("report")).GetProperty("replication_lag_seconds").ValueKind == JsonValueKind.Number);

        Assert.That(report.GetProperty("replication_lag_seconds").GetDouble(), Is.GreaterThanOrEqualTo(0));
        Assert.That(await _compute.Http.GetStringAsync("/metrics"), Does.Match("(?m)^aurora_replication_lag_seconds "));
    }

    [Test]
    public async Task SyncDbCommand_OnTheLead_ListsTheReplica()
    {
        await ReplicationViews.WaitForAsync(_mesh.Lead, r => r.GetProperty("replicas").GetArrayLength() == 1);

        var result = await Executable.RunAsync("sync-db", "--config", _mesh.Lead.Config.Path);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout, Does.StartWith("lead: primary, running, timeline 1"));
        Assert.That(result.Stdout, Does.Contain("may promote without loss: -"), "a compute node is never the failover candidate");
        Assert.That(result.Stdout, Does.Match(@"(?m)^compute1\s+\w+\s+async\s+127\.0\.0\.1\s+.*replica_compute1"));
    }
}
