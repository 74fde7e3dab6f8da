using AuroraNode.Tests.TestKit;
using Dapper;

namespace AuroraNode.Tests.Replication;

/// <summary>
/// Planned switchovers through the CLI, both ways, with a writer committing throughout; unsafe requests refused;
/// base backups. Each test starts from the lead as primary with the backup as its synchronous standby, and leaves it so.
/// </summary>
[NonParallelizable]
public sealed class SwitchoverTests
{
    private TempDirectory _temp = null!;
    private ExternalRedis _redis = null!;
    private Mesh _mesh = null!;
    private NodeProcess _backup = null!;
    private NodeProcess _compute = null!;

    [OneTimeSetUp]
    public async Task StartMesh()
    {
        _temp = new TempDirectory();
        _redis = await ExternalRedis.StartAsync(_temp);
        _mesh = await Mesh.StartAsync(_temp, c => c.Sections["redis"] = $"managed: false\nurl: {_redis.Url}");
        _backup = await _mesh.AddAsync("backup1", "backup");
        _compute = await _mesh.AddAsync("compute1", "compute");
    }

    [OneTimeTearDown]
    public async Task StopMesh()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _temp.Dispose();
    }

    private async Task LeadIsPrimaryWithBackupInSyncAsync()
    {
        await ReplicationViews.WaitForAsync(_mesh.Lead, ReplicationViews.HasSyncStandby("backup1"), seconds: 30);
    }

    [Test]
    public async Task UnsafeSwitchovers_AreRefusedWithTheReason_AndChangeNothing()
    {
        await LeadIsPrimaryWithBackupInSyncAsync();

        var asyncReplica = await Executable.RunAsync("promote", "--config", _compute.Config.Path);
        var onPrimary = await Executable.RunAsync("promote", "--config", _mesh.Lead.Config.Path);
        var demoteOnReplica = await Executable.RunAsync("demote", "--config", _backup.Config.Path);
        var toAsyncReplica = await Executable.RunAsync("demote", "--to", "compute1", "--config", _mesh.Lead.Config.Path);

        Assert.Multiple(() =>
        {
            Assert.That(asyncReplica.ExitCode, Is.EqualTo(1), asyncReplica.ToString());
            Assert.That(asyncReplica.Stderr, Does.Contain("409").And.Contain("compute1 is not the synchronous standby (backup1)"));
            Assert.That(onPrimary.ExitCode, Is.EqualTo(1), onPrimary.ToString());
            Assert.That(onPrimary.Stderr, Does.Contain("lead is the primary already"));
            Assert.That(demoteOnReplica.ExitCode, Is.EqualTo(1), demoteOnReplica.ToString());
            Assert.That(demoteOnReplica.Stderr, Does.Contain("this node is not the primary (lead is)"));
            Assert.That(toAsyncReplica.ExitCode, Is.EqualTo(1), toAsyncReplica.ToString());
            Assert.That(toAsyncReplica.Stderr, Does.Contain("compute1 is not the synchronous standby"));
        });
        Assert.That(ReplicationViews.IsPrimary(await _mesh.Lead.GetJsonAsync("/api/v1/replication")), "the lead is still the primary");
    }

    [Test]
    public async Task SwitchoverToTheBackupAndBack_LosesNoAcknowledgedCommit_AndEveryReplicaFollows()
    {
        await LeadIsPrimaryWithBackupInSyncAsync();
        await using var writer = await CommitWriter.StartAsync(_mesh.Lead, _mesh.Lead, _backup, _compute);

        var promote = await Executable.RunAsync("promote", "--config", _backup.Config.Path);
        Assert.That(promote.ExitCode, Is.Zero, promote.ToString());
        Assert.That(promote.Stdout, Does.Contain("switched over in").And.Contain("backup1 is the primary; lead rejoins as its replica"));
        Assert.That(ReplicationViews.IsPrimary(await _backup.GetJsonAsync("/api/v1/replication")));
        await ReplicationViews.WaitForAsync(_mesh.Lead, v => ReplicationViews.StreamsFrom(v, _backup), seconds: 30);
        await ReplicationViews.WaitForAsync(_compute, v => ReplicationViews.StreamsFrom(v, _backup), seconds: 30);
        await Registry.RegistryTests.WaitUntilAsync(async () => writer.FirstAcknowledgedBy(_backup.Config.PostgresPort) is not null);

        await ReplicationViews.WaitForAsync(_backup, ReplicationViews.HasSyncStandby("lead"), seconds: 30);
        var demote = await Executable.RunAsync("demote", "--config", _backup.Config.Path, "--json");
        Assert.That(demote.ExitCode, Is.Zero, demote.ToString());
        Assert.That(demote.Stdout, Does.Contain("\"to\": \"lead\""));
        await ReplicationViews.WaitForAsync(_backup, v => ReplicationViews.StreamsFrom(v, _mesh.Lead), seconds: 30);
        await ReplicationViews.WaitForAsync(_compute, v => ReplicationViews.StreamsFrom(v, _mesh.Lead), seconds: 30);
        var backAt = writer.Clock.Elapsed;
        await Registry.RegistryTests.WaitUntilAsync(async () => writer.Acknowledged.Any(a => a.At > backAt && a.Port == _mesh.Lead.Config.PostgresPort));
        await writer.StopAsync();

        await writer.AssertNoneLostOnAsync(_mesh.Lead);
    }

    [Test]
    public async Task Backup_FromAReplicaNode_IsAVerifiedCopyOfThePrimary_AndRefusesAFolderInUse()
    {
        var target = _temp.Combine("backups", "first");
        var taken = await Executable.RunAsync("backup", "--to", target, "--config", _compute.Config.Path, "--json");

        Assert.That(taken.ExitCode, Is.Zero, taken.ToString());
        Assert.That(taken.Stdout, Does.Contain("\"verified\": true"));
        Assert.That(File.Exists(Path.Combine(target, "PG_VERSION")) && File.Exists(Path.Combine(target, "backup_manifest")), Is.True);
        Assert.That(Directory.Exists(target + ".partial"), Is.False);

        var again = await Executable.RunAsync("backup", "--to", target, "--config", _compute.Config.Path);
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Stderr, Does.Contain("exists and is not empty"));
    }
}
