using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using AuroraNode.Tests.Replication;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;
using StackExchange.Redis;

namespace AuroraNode.Tests.Auth;

/// <summary>
/// A lead with <c>postgres.sync_strict: true</c>, its backup (the only synchronous standby: a second backup joined and
/// was stopped) and a compute node whose own config is not strict. Revoking the backup is refused on both nodes (the
/// primary's setting counts, not the handling node's), goes through with <c>--force</c>, and revoking it a second time
/// is a plain answer that rotates nothing again. Forced, it leaves the primary strict, as the refusal said: commits
/// block (they never go on asynchronously) until the second backup streams again and becomes the synchronous standby.
/// </summary>
[NonParallelizable]
public sealed class StrictStandbyRevocationTests
{
    private TempDirectory _temp = null!;
    private Mesh? _mesh;
    private NodeProcess _compute = null!;
    private NodeProcess _backup2 = null!;
    private CliResult _refusedOnCompute = null!;
    private CliResult _refusedOnLead = null!;
    private DateTimeOffset? _revokedAfterRefusals;
    private CliResult _forced = null!;
    private Dictionary<string, string> _afterForced = null!;
    private CliResult _again = null!;
    private Dictionary<string, string> _afterAgain = null!;
    private string _standbyNamesAfterForced = null!;
    private bool _commitBlockedAfterForced;
    private string? _commitWaitEvent;
    private bool _commitDoneOnceBackup2Streams;

    private NodeProcess Lead => _mesh!.Lead;

    [OneTimeSetUp]
    public async Task StartStrictMeshAndRevokeItsOnlySyncStandbyAsync()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp, c => c.Sections["postgres"] = $"port: {c.PostgresPort}\nstop_timeout: 10s\nsync_strict: true");
        await _mesh.AddAsync("backup1", "backup");
        _compute = await _mesh.AddAsync("compute1", "compute");
        _backup2 = await _mesh.AddAsync("backup2", "backup");
        await ReplicationViews.WaitForAsync(Lead, v => ReplicationViews.HasSyncStandby("backup1")(v) && ReplicationViews.HasStreamingReplica(v, "compute1") && ReplicationViews.HasStreamingReplica(v, "backup2"), seconds: 40);
        await _backup2.StopAsync();
        await ReplicationViews.WaitForAsync(Lead, v => !ReplicationViews.HasStreamingReplica(v, "backup2"), seconds: 30);
        await using (var setup = await NodeDatabase.OpenAsync(Lead))
        {
            await setup.ExecuteAsync("CREATE TABLE strict_probe (id int)");
        }

        _refusedOnCompute = await Executable.RunAsync("nodes", "revoke", "backup1", "--config", _compute.Config.Path);
        _refusedOnLead = await Executable.RunAsync("nodes", "revoke", "backup1", "--config", Lead.Config.Path);
        var password = Mesh.Credentials(Lead)[CredentialKeys.RedisPassword];
        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={password}"))
        {
            _revokedAfterRefusals = (await NodeKeys.GetAsync(redis.GetDatabase(), "backup1"))!.RevokedAt;
        }

        _forced = await Executable.RunAsync("nodes", "revoke", "backup1", "--force", "--config", _compute.Config.Path);
        _afterForced = Mesh.Credentials(_compute);
        _again = await Executable.RunAsync("nodes", "revoke", "backup1", "--config", _compute.Config.Path);
        _afterAgain = Mesh.Credentials(_compute);
        await ObserveACommitUntilBackup2StreamsAsync();
        await TestContext.Out.WriteLineAsync($"refused on compute1: {_refusedOnCompute}\nrefused on lead: {_refusedOnLead}\nforced: {_forced}\nagain: {_again}");
    }

    // A commit on the primary after the forced revoke: still waiting 3 s later, and done once backup2 is back.
    private async Task ObserveACommitUntilBackup2StreamsAsync()
    {
        await using var conn = await NodeDatabase.OpenAsync(Lead);
        _standbyNamesAfterForced = await conn.ExecuteScalarAsync<string>("SELECT current_setting('synchronous_standby_names')") ?? "";
        await using var writer = new NpgsqlConnection(NodeDatabase.ConnectionString(Lead));
        await writer.OpenAsync();
        var commit = writer.ExecuteAsync(new CommandDefinition("INSERT INTO strict_probe VALUES (1)", commandTimeout: 120));
        _commitBlockedAfterForced = await Task.WhenAny(commit, Task.Delay(TimeSpan.FromSeconds(3))) != commit;
        _commitWaitEvent = await conn.ExecuteScalarAsync<string?>("SELECT wait_event FROM pg_stat_activity WHERE query LIKE 'INSERT INTO strict_probe%'");

        var again = _mesh!.Again(_backup2);
        again.Start();
        _commitDoneOnceBackup2Streams = await Task.WhenAny(commit, Task.Delay(TimeSpan.FromSeconds(90))) == commit;
        await ReplicationViews.WaitForAsync(Lead, ReplicationViews.HasSyncStandby("backup2"), seconds: 30);
    }

    [OneTimeTearDown]
    public async Task StopMeshAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Test]
    public void Revoke_OnlySyncStandbyOfAStrictPrimary_RefusedOnANodeWhoseOwnConfigIsNotStrict_AndOnThePrimary()
    {
        foreach (var refused in new[] { _refusedOnCompute, _refusedOnLead })
        {
            Assert.That(refused.ExitCode, Is.Not.Zero, refused.ToString());
            Assert.That(refused.Stderr, Does.Contain("409").And.Contain("only synchronous standby").And.Contain("sync_strict").And.Contain("--force"));
        }

        Assert.That(_revokedAfterRefusals, Is.Null, "a refused revocation changes nothing");
    }

    [Test]
    public void Revoke_OnlySyncStandbyOfAStrictPrimary_Forced_RevokedAndRotated()
    {
        Assert.That(_forced.ExitCode, Is.Zero, _forced.ToString());
        Assert.That(_forced.Stdout, Does.Contain("node backup1 revoked").And.Contain("passwords were rotated").And.Contain("backup1 is no longer the synchronous standby"));
    }

    [Test]
    public void Revoke_OnlySyncStandbyOfAStrictPrimary_Forced_CommitsBlockUntilAnotherBackupStreams_NeverAsynchronous()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_forced.Stdout, Does.Contain("commits block until another backup streams"));
            Assert.That(_standbyNamesAfterForced.Trim('"'), Is.Not.Empty.And.Not.EqualTo("backup1"), "the primary still waits for a standby, not for the revoked one");
            Assert.That(_commitBlockedAfterForced, Is.True, "a commit waits for a synchronous standby instead of going on asynchronously");
            Assert.That(_commitWaitEvent, Is.EqualTo("SyncRep"));
            Assert.That(_commitDoneOnceBackup2Streams, Is.True, "the commit returns once another backup streams");
            // Which standby the line names depends on whether the primary looked before or after the release.
            Assert.That(Lead.Output, Does.Contain("No backup streams from this primary: commits block until").And.Contain("streams (postgres.sync_strict)"));
        });
    }

    [Test]
    public void Revoke_SameNodeTwice_SecondAnswersAlreadyRevoked_NothingRotatedAgain()
    {
        Assert.That(_again.ExitCode, Is.Zero, _again.ToString());
        Assert.That(_again.Stdout, Does.Contain("node backup1 was already revoked").And.Contain("already rotated").And.Contain("signing keys already replaced"));
        Assert.That(_again.Output, Does.Not.Contain("500"));
        Assert.That(MeshSecrets.Keys.Append(CredentialKeys.MeshCredentialsVersion).Select(k => _afterAgain[k]), Is.EqualTo(MeshSecrets.Keys.Append(CredentialKeys.MeshCredentialsVersion).Select(k => _afterForced[k])));
    }
}
