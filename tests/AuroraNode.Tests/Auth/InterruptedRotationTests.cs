using System.Net;
using System.Net.Http.Json;
using AuroraNode.Modules.Credentials;
using AuroraNode.Tests.Registry;
using AuroraNode.Tests.Replication;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;

namespace AuroraNode.Tests.Auth;

/// <summary>
/// A rotation cut off where it used to lose the mesh its passwords: a lead, a backup and two compute nodes; compute2
/// handles the revocation of compute1 and is killed (SIGKILL, through the test-only hook
/// <c>AURORA_TEST_ROTATION_CRASH_AFTER=postgres</c>) right after every server took the new passwords and before any
/// node saved them. Its planned values were saved first (pending); started again, it finishes the rotation and every
/// node ends up with the passwords the servers take.
/// </summary>
[NonParallelizable]
public sealed class InterruptedRotationTests
{
    private TempDirectory _temp = null!;
    private Mesh? _mesh;
    private NodeProcess _backup = null!;
    private NodeProcess? _owner;
    private Dictionary<string, string> _before = null!;
    private Dictionary<string, string> _atCrash = null!;
    private string _oldToken = null!;
    private string _adminPassword = null!;
    private CliResult _revoke = null!;
    private bool _primaryTookPlannedBeforeRestart;
    private bool _primaryRefusedOldBeforeRestart;

    private NodeProcess Lead => _mesh!.Lead;

    private NodeProcess Owner => _owner!;

    [OneTimeSetUp]
    public async Task StartMeshKillTheRevokingNodeMidRotationAndStartItAgainAsync()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp);
        _backup = await _mesh.AddAsync("backup1", "backup");
        await _mesh.AddAsync("compute1", "compute");
        var crashing = await _mesh.AddAsync("compute2", "compute", environment: new Dictionary<string, string> { ["AURORA_TEST_ROTATION_CRASH_AFTER"] = "postgres" });
        await ReplicationViews.WaitForAsync(Lead, v => ReplicationViews.HasSyncStandby("backup1")(v) && ReplicationViews.HasStreamingReplica(v, "compute1") && ReplicationViews.HasStreamingReplica(v, "compute2"), seconds: 40);
        _adminPassword = Mesh.Credentials(Lead)["auth.admin_password"];
        (_oldToken, _) = await AuthClient.TokensAsync(Lead, "admin", _adminPassword);
        _before = Mesh.Credentials(Lead);

        _revoke = await Executable.RunAsync("nodes", "revoke", "compute1", "--config", crashing.Config.Path);
        await TestContext.Out.WriteLineAsync($"revoke on compute2 (killed midway):\n{_revoke}");
        await crashing.WaitForExitAsync(TimeSpan.FromSeconds(30));
        _atCrash = Mesh.Credentials(crashing);
        var planned = _atCrash.GetValueOrDefault(PendingRotation.Prefix + CredentialKeys.SuperuserPassword);
        _primaryRefusedOldBeforeRestart = await PostgresRefusesAsync("postgres", _before[CredentialKeys.SuperuserPassword]) == PostgresErrorCodes.InvalidPassword;
        _primaryTookPlannedBeforeRestart = planned is not null && await PostgresRefusesAsync("postgres", planned) is null;

        _owner = _mesh.Again(crashing);
        await Owner.StartAndWaitReadyAsync(TimeSpan.FromSeconds(90));
        await RegistryTests.WaitUntilAsync(() => Task.FromResult(
            !Mesh.Credentials(Owner).ContainsKey(PendingRotation.Prefix + "revoked_node")
            && Mesh.Credentials(Lead).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion) == Mesh.Credentials(Owner).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion)
            && Mesh.Credentials(_backup).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion) == Mesh.Credentials(Owner).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion)));
    }

    [OneTimeTearDown]
    public async Task StopMeshAsync()
    {
        if (_owner is not null)
        {
            await _owner.DisposeAsync(); // The mesh stops it too (disposing twice is harmless).
        }

        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Test]
    public void Interrupted_KilledAfterTheServersChanged_PlannedPasswordsWereSavedAsPendingFirst_AndTheServersTookThem()
    {
        Assert.That(_revoke.ExitCode, Is.Not.Zero, "the node handling the call died");
        Assert.Multiple(() =>
        {
            Assert.That(_atCrash.GetValueOrDefault(PendingRotation.Prefix + "revoked_node"), Is.EqualTo("compute1"));
            foreach (var key in MeshSecrets.Keys)
            {
                Assert.That(_atCrash[key], Is.EqualTo(_before[key]), $"{key}: the new value was never saved as current");
                Assert.That(_atCrash.GetValueOrDefault(PendingRotation.Prefix + key), Is.Not.Null.And.Not.EqualTo(_before[key]), $"{key}: planned and saved before the servers changed");
            }

            Assert.That(_primaryRefusedOldBeforeRestart, Is.True, "the primary's ALTER ROLE had taken");
            Assert.That(_primaryTookPlannedBeforeRestart, Is.True, "the saved pending password opens the primary");
        });
    }

    [Test]
    public void Interrupted_StartedAgain_FinishesTheRotationWithThePlannedPasswords_EveryNodeHoldsThem()
    {
        var (owner, lead, backup) = (Mesh.Credentials(Owner), Mesh.Credentials(Lead), Mesh.Credentials(_backup));
        Assert.Multiple(() =>
        {
            foreach (var key in MeshSecrets.Keys)
            {
                Assert.That(owner[key], Is.EqualTo(_atCrash[PendingRotation.Prefix + key]), $"{key}: the planned value, the one the servers took");
                Assert.That(lead[key], Is.EqualTo(owner[key]), key);
                Assert.That(backup[key], Is.EqualTo(owner[key]), key);
            }

            Assert.That(owner.Keys.Where(k => k.StartsWith(PendingRotation.Prefix, StringComparison.Ordinal)), Is.Empty);
        });
        Assert.That(Owner.Output, Does.Contain("Finished the pending rotation of the mesh's passwords after revoking"));
    }

    [Test]
    public async Task Interrupted_Finished_OldPasswordsRefused_NewOnesTaken_RevokedNodeCutOff()
    {
        var (old, current) = (_before[CredentialKeys.RedisPassword], Mesh.Credentials(Lead)[CredentialKeys.RedisPassword]);
        foreach (var port in new[] { Lead.Config.RedisPort, _backup.Config.RedisPort, Lead.Config.SentinelPort, _backup.Config.SentinelPort })
        {
            Assert.That(await RedisPassword.AcceptedAsync(port, old), Is.False, $"port {port} still takes the old password");
            Assert.That(await RedisPassword.AcceptedAsync(port, current), Is.True, $"port {port} does not take the new password");
        }

        Assert.That(await PostgresRefusesAsync("replicator", _before[CredentialKeys.ReplicationPassword]), Is.EqualTo(PostgresErrorCodes.InvalidPassword));
        Assert.That(await PostgresRefusesAsync("postgres", Mesh.Credentials(Lead)[CredentialKeys.SuperuserPassword]), Is.Null);
        await using var conn = await NodeDatabase.OpenAsync(Lead);
        await RegistryTests.WaitUntilAsync(async () => !(await conn.QueryAsync<string>("SELECT slot_name FROM pg_replication_slots")).Contains("replica_compute1"));
        Assert.That((await conn.QueryAsync<string>("SELECT node FROM replication.members")).ToList(), Does.Not.Contain("compute1"));

        var (status, body, _) = await AuthClient.SendAsync(Lead, HttpMethod.Get, "/api/v1/auth/sessions", bearer: _oldToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), $"the signing keys were replaced: {body}");
    }

    [Test]
    public async Task Interrupted_Finished_NodesConnectAgainWithTheNewPasswords_TheOwnerStreamsAgain()
    {
        await ReplicationViews.WaitForAsync(Owner, v => ReplicationViews.StreamsFrom(v, Lead), seconds: 40);
        await using var conn = await NodeDatabase.OpenAsync(Lead);
        await conn.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ('aurora-node:lead', 'aurora-node:compute2')");
        foreach (var (node, user) in new[] { (Lead, "after-finish-lead"), (Owner, "after-finish-owner") })
        {
            // A pool may hand out one of the ended connections once (57P01): the next request opens a new one.
            var status = HttpStatusCode.InternalServerError;
            for (var attempt = 0; attempt < 5 && status != HttpStatusCode.Created; attempt++)
            {
                using var created = await node.Http.PostAsJsonAsync("/api/v1/auth/users", new { username = user, password = "correct horse battery", roles = new[] { "user" } });
                status = created.StatusCode;
            }

            Assert.That(status, Is.EqualTo(HttpStatusCode.Created), node.Config.Name);
        }
    }

    [Test]
    public async Task Interrupted_Finished_RevokingTheNodeAgain_AnswersAlreadyRevoked_NothingRotatedAgain()
    {
        var version = Mesh.Credentials(Lead)[CredentialKeys.MeshCredentialsVersion];
        var again = await Executable.RunAsync("nodes", "revoke", "compute1", "--config", Lead.Config.Path);

        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(again.Stdout, Does.Contain("node compute1 was already revoked").And.Contain("already rotated"));
        Assert.That(Mesh.Credentials(Lead)[CredentialKeys.MeshCredentialsVersion], Is.EqualTo(version));
    }

    private async Task<string?> PostgresRefusesAsync(string user, string password)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Lead.Config.PostgresPort, Username = user, Password = password, Database = "postgres", Pooling = false, Timeout = 3 };
        try
        {
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync();
            return null;
        }
        catch (PostgresException ex)
        {
            return ex.SqlState;
        }
    }
}
