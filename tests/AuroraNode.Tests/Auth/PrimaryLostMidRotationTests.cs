using AuroraNode.Modules.Credentials;
using AuroraNode.Tests.Replication;
using AuroraNode.Tests.TestKit;
using Npgsql;

namespace AuroraNode.Tests.Auth;

/// <summary>
/// A rotation whose <c>ALTER ROLE</c> is cut off by the primary's death: a lead, a backup and two compute nodes;
/// compute2 handles the revocation of compute1 and, through the test-only hook
/// <c>AURORA_TEST_ROTATION_PAUSE_BEFORE_COMMIT</c>, holds its password change on the primary open before the commit
/// while the test kills the lead's PostgreSQL (SIGKILL). The answer never comes: the PostgreSQL passwords stay pending
/// on compute2, which changes them once the lead's server is back (its node restarts it) and hands them to every node.
/// </summary>
[NonParallelizable]
public sealed class PrimaryLostMidRotationTests
{
    private TempDirectory _temp = null!;
    private Mesh? _mesh;
    private NodeProcess _backup = null!;
    private NodeProcess _owner = null!;
    private Dictionary<string, string> _before = null!;
    private Dictionary<string, string> _atCut = null!;
    private CliResult _revoke = null!;
    private int _killedPostgres;

    private NodeProcess Lead => _mesh!.Lead;

    [OneTimeSetUp]
    public async Task StartMeshAndKillThePrimaryPostgresBeforeThePasswordChangeCommitsAsync()
    {
        _temp = new TempDirectory();
        var marker = _temp.Combine("paused-before-commit");
        _mesh = await Mesh.StartAsync(_temp);
        _backup = await _mesh.AddAsync("backup1", "backup");
        await _mesh.AddAsync("compute1", "compute");
        _owner = await _mesh.AddAsync("compute2", "compute", environment: new Dictionary<string, string> { ["AURORA_TEST_ROTATION_PAUSE_BEFORE_COMMIT"] = marker });
        await ReplicationViews.WaitForAsync(Lead, v => ReplicationViews.HasSyncStandby("backup1")(v) && ReplicationViews.HasStreamingReplica(v, "compute1") && ReplicationViews.HasStreamingReplica(v, "compute2"), seconds: 40);
        _before = Mesh.Credentials(Lead);

        var revoke = Executable.RunAsync("nodes", "revoke", "compute1", "--config", _owner.Config.Path);
        await WaitUntilAsync(() => File.Exists(marker) || revoke.IsCompleted, TimeSpan.FromSeconds(30));
        Assert.That(File.Exists(marker), Is.True, $"the rotation never reached the commit: {(revoke.IsCompleted ? revoke.Result : null)}");
        _killedPostgres = NodeDatabase.PostmasterPid(Lead);
        Posix.Kill(_killedPostgres, Posix.SigKill);
        Assert.That(await Posix.WaitGoneAsync(_killedPostgres, TimeSpan.FromSeconds(10)), Is.True);
        File.Delete(marker);
        _revoke = await revoke;
        _atCut = Mesh.Credentials(_owner);
        await TestContext.Out.WriteLineAsync($"revoke on compute2 (primary's PostgreSQL killed before the commit):\n{_revoke}");

        // The owner retries every 10 s; the lead's node restarts its PostgreSQL with backoff first.
        await WaitUntilAsync(
            () => !Mesh.Credentials(_owner).ContainsKey(PendingRotation.Prefix + "revoked_node")
            && Mesh.Credentials(Lead).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion) == Mesh.Credentials(_owner).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion)
            && Mesh.Credentials(_backup).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion) == Mesh.Credentials(_owner).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion),
            TimeSpan.FromSeconds(90));
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
    public void PrimaryLost_BeforeTheCommitAnswered_TheRevokeSaysThePasswordsArePending_TheRestRotated()
    {
        Assert.That(_revoke.Output, Does.Contain("kept pending"), _revoke.ToString());
        Assert.Multiple(() =>
        {
            foreach (var key in new[] { CredentialKeys.SuperuserPassword, CredentialKeys.ReplicationPassword })
            {
                Assert.That(_atCut[key], Is.EqualTo(_before[key]), $"{key}: not saved as current while its outcome is unknown");
                Assert.That(_atCut.GetValueOrDefault(PendingRotation.Prefix + key), Is.Not.Null.And.Not.EqualTo(_before[key]), $"{key}: kept pending");
            }

            Assert.That(_atCut[CredentialKeys.RedisPassword], Is.Not.EqualTo(_before[CredentialKeys.RedisPassword]), "the Redis password, whose change took, rotated");
        });
    }

    [Test]
    public async Task PrimaryLost_ItsServerBack_TheOwnerFinishes_EveryNodeHoldsThePlannedPasswords_WhichThePrimaryTakes()
    {
        var (owner, lead, backup) = (Mesh.Credentials(_owner), Mesh.Credentials(Lead), Mesh.Credentials(_backup));
        Assert.Multiple(() =>
        {
            foreach (var key in new[] { CredentialKeys.SuperuserPassword, CredentialKeys.ReplicationPassword })
            {
                Assert.That(owner[key], Is.EqualTo(_atCut[PendingRotation.Prefix + key]), $"{key}: the planned value");
                Assert.That(lead[key], Is.EqualTo(owner[key]), key);
                Assert.That(backup[key], Is.EqualTo(owner[key]), key);
            }
        });
        Assert.That(NodeDatabase.PostmasterPid(Lead), Is.Not.EqualTo(_killedPostgres), "the lead's node restarted its PostgreSQL");
        Assert.That(await PostgresRefusesAsync("postgres", _before[CredentialKeys.SuperuserPassword]), Is.EqualTo(PostgresErrorCodes.InvalidPassword));
        Assert.That(await PostgresRefusesAsync("replicator", _before[CredentialKeys.ReplicationPassword]), Is.EqualTo(PostgresErrorCodes.InvalidPassword));
        Assert.That(await PostgresRefusesAsync("postgres", owner[CredentialKeys.SuperuserPassword]), Is.Null);
        Assert.That(_owner.Output, Does.Contain("Finished the pending rotation of the mesh's passwords after revoking compute1"));
    }

    [Test]
    public async Task PrimaryLost_Finished_TheOwnerStreamsFromThePrimaryAgain()
    {
        await ReplicationViews.WaitForAsync(_owner, v => ReplicationViews.StreamsFrom(v, Lead), seconds: 40);
        await ReplicationViews.WaitForAsync(_backup, v => ReplicationViews.StreamsFrom(v, Lead), seconds: 40);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"condition not met within {limit.TotalSeconds} s");
            }

            await Task.Delay(100);
        }
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
