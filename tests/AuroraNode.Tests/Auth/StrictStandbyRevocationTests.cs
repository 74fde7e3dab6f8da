using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using AuroraNode.Tests.Replication;
using AuroraNode.Tests.TestKit;
using StackExchange.Redis;

namespace AuroraNode.Tests.Auth;

/// <summary>
/// A lead with <c>postgres.sync_strict: true</c>, its backup (the only synchronous standby) and a compute node whose
/// own config is not strict. Revoking the backup is refused on both nodes (the primary's setting counts, not the
/// handling node's), goes through with <c>--force</c>, and revoking it a second time is a plain answer that rotates
/// nothing again.
/// </summary>
[NonParallelizable]
public sealed class StrictStandbyRevocationTests
{
    private TempDirectory _temp = null!;
    private Mesh? _mesh;
    private NodeProcess _compute = null!;
    private CliResult _refusedOnCompute = null!;
    private CliResult _refusedOnLead = null!;
    private DateTimeOffset? _revokedAfterRefusals;
    private CliResult _forced = null!;
    private Dictionary<string, string> _afterForced = null!;
    private CliResult _again = null!;
    private Dictionary<string, string> _afterAgain = null!;

    private NodeProcess Lead => _mesh!.Lead;

    [OneTimeSetUp]
    public async Task StartStrictMeshAndRevokeItsOnlySyncStandbyAsync()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp, c => c.Sections["postgres"] = $"port: {c.PostgresPort}\nstop_timeout: 10s\nsync_strict: true");
        await _mesh.AddAsync("backup1", "backup");
        _compute = await _mesh.AddAsync("compute1", "compute");
        await ReplicationViews.WaitForAsync(Lead, v => ReplicationViews.HasSyncStandby("backup1")(v) && ReplicationViews.HasStreamingReplica(v, "compute1"), seconds: 40);

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
        await TestContext.Out.WriteLineAsync($"refused on compute1: {_refusedOnCompute}\nrefused on lead: {_refusedOnLead}\nforced: {_forced}\nagain: {_again}");
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
    public void Revoke_SameNodeTwice_SecondAnswersAlreadyRevoked_NothingRotatedAgain()
    {
        Assert.That(_again.ExitCode, Is.Zero, _again.ToString());
        Assert.That(_again.Stdout, Does.Contain("node backup1 was already revoked").And.Contain("already rotated").And.Contain("signing keys already replaced"));
        Assert.That(_again.Output, Does.Not.Contain("500"));
        Assert.That(MeshSecrets.Keys.Append(CredentialKeys.MeshCredentialsVersion).Select(k => _afterAgain[k]), Is.EqualTo(MeshSecrets.Keys.Append(CredentialKeys.MeshCredentialsVersion).Select(k => _afterForced[k])));
    }
}
