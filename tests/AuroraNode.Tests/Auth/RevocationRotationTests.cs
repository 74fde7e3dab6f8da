using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using AuroraNode.Tests.Registry;
using AuroraNode.Tests.Replication;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;
using StackExchange.Redis;

namespace AuroraNode.Tests.Auth;

/// <summary>
/// Revoking a node rotates what it received when it joined: a lead, a backup and two compute nodes; compute1 is
/// revoked while compute2 is down. The old Redis and PostgreSQL passwords stop working, compute1 is cut off, the
/// backup keeps streaming and replicating with the new ones, and compute2 fetches them when it starts again.
/// </summary>
[NonParallelizable]
public sealed class RevocationRotationTests
{
    private TempDirectory _temp = null!;
    private Mesh? _mesh;
    private NodeProcess _backup = null!;
    private NodeProcess _away = null!;
    private Dictionary<string, string> _before = null!;
    private string _oldToken = null!;
    private string _adminPassword = null!;
    private CliResult _revoke = null!;

    private NodeProcess Lead => _mesh!.Lead;

    [OneTimeSetUp]
    public async Task StartMeshAndRevokeAComputeNodeAsync()
    {
        _temp = new TempDirectory();
        var modules = NodeConfigFile.ShortRegistryIntervals;
        _mesh = await Mesh.StartAsync(_temp, c => c.Sections["modules"] = modules);
        _backup = await _mesh.AddAsync("backup1", "backup", c => c.Sections["modules"] = modules);
        await _mesh.AddAsync("compute1", "compute", c => c.Sections["modules"] = modules);
        _away = await _mesh.AddAsync("compute2", "compute", c => c.Sections["modules"] = modules);
        await ReplicationViews.WaitForAsync(Lead, v => ReplicationViews.HasSyncStandby("backup1")(v) && ReplicationViews.HasStreamingReplica(v, "compute1") && ReplicationViews.HasStreamingReplica(v, "compute2"), seconds: 40);
        _adminPassword = Mesh.Credentials(Lead)["auth.admin_password"];
        (_oldToken, _) = await AuthClient.TokensAsync(Lead, "admin", _adminPassword);
        _before = Mesh.Credentials(Lead);
        await _away.StopAsync();

        var clock = Stopwatch.StartNew();
        _revoke = await Executable.RunAsync("nodes", "revoke", "compute1", "--config", Lead.Config.Path);
        await TestContext.Out.WriteLineAsync($"revoke with rotation: {clock.ElapsedMilliseconds} ms\n{_revoke.Stdout}{_revoke.Stderr}");
        Assert.That(_revoke.ExitCode, Is.Zero, _revoke.Stderr + _revoke.Stdout);
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
    public async Task Revoke_OldRedisPassword_RefusedByEveryServerAndSentinel_RevokedNodesConnectionsClosed()
    {
        var old = _before[CredentialKeys.RedisPassword];
        var current = Mesh.Credentials(Lead)[CredentialKeys.RedisPassword];
        Assert.That(current, Is.Not.EqualTo(old));

        foreach (var port in new[] { Lead.Config.RedisPort, _backup.Config.RedisPort, Lead.Config.SentinelPort, _backup.Config.SentinelPort })
        {
            Assert.That(await RedisPassword.AcceptedAsync(port, old), Is.False, $"port {port} still takes the old password");
            Assert.That(await RedisPassword.AcceptedAsync(port, current), Is.True, $"port {port} does not take the new password");
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={current},allowAdmin=true");
        var clients = (await redis.GetServer("127.0.0.1", Lead.Config.RedisPort).ClientListAsync()).Select(c => c.Name).ToList();
        Assert.That(clients, Does.Not.Contain("aurora-node:compute1"));
        Assert.That(clients, Does.Contain("aurora-node:backup1"), "the other nodes stay connected");
    }

    [Test]
    public async Task Revoke_OldPostgresPasswords_Refused_RevokedNodesStreamAndSlotGone()
    {
        var superuser = await RefusalAsync("postgres", _before[CredentialKeys.SuperuserPassword]);
        var replicator = await RefusalAsync("replicator", _before[CredentialKeys.ReplicationPassword]);
        Assert.That(superuser, Is.EqualTo(PostgresErrorCodes.InvalidPassword));
        Assert.That(replicator, Is.EqualTo(PostgresErrorCodes.InvalidPassword));

        await using var conn = await NodeDatabase.OpenAsync(Lead);
        var slots = (await conn.QueryAsync<string>("SELECT slot_name FROM pg_replication_slots")).ToList();
        var streams = (await conn.QueryAsync<string>("SELECT application_name FROM pg_stat_replication")).ToList();
        var members = (await conn.QueryAsync<string>("SELECT node FROM replication.members")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(slots, Does.Not.Contain("replica_compute1").And.Contain("replica_backup1").And.Contain("replica_compute2"));
            Assert.That(streams, Does.Not.Contain("compute1"));
            Assert.That(members, Does.Not.Contain("compute1"));
        });
    }

    [Test]
    public async Task Revoke_Backup_LearnsTheNewPasswords_StreamsRedisReplicatesAndHeartbeatsThroughReconnects()
    {
        await RegistryTests.WaitUntilAsync(() => Task.FromResult(Mesh.Credentials(_backup).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion) == Mesh.Credentials(Lead)[CredentialKeys.MeshCredentialsVersion]));
        var lead = Mesh.Credentials(Lead);
        var backup = Mesh.Credentials(_backup);
        Assert.That(MeshSecrets.Keys.Select(k => backup[k]), Is.EqualTo(MeshSecrets.Keys.Select(k => lead[k])));

        // Every connection made again, now with the new passwords: the backup's stream, its Redis replica's link, every node's client.
        var password = lead[CredentialKeys.RedisPassword];
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={password},allowAdmin=true");
        var master = redis.GetServer("127.0.0.1", Lead.Config.RedisPort);
        var resyncs = await ResyncsAsync(master);
        await using var conn = await NodeDatabase.OpenAsync(Lead);
        var streamEndedAt = await conn.ExecuteScalarAsync<DateTime>("SELECT now()");
        await conn.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_replication WHERE application_name = 'backup1'");
        await master.ExecuteAsync("CLIENT", "KILL", "TYPE", "replica");
        var killedAt = DateTimeOffset.UtcNow;
        await master.ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");

        await RegistryTests.WaitUntilAsync(async () => await conn.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = 'backup1' AND state = 'streaming' AND sync_state = 'sync' AND backend_start > @At)", new { At = streamEndedAt }));
        await RegistryTests.WaitUntilAsync(async () => await ResyncsAsync(master) > resyncs);
        await using var replica = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_backup.Config.RedisPort},password={password},allowAdmin=true");
        await RegistryTests.WaitUntilAsync(async () => (await replica.GetServer("127.0.0.1", _backup.Config.RedisPort).InfoRawAsync("replication"))?.Contains("master_link_status:up") == true);
        await RegistryTests.WaitForAsync(Lead, n => n.GetProperty("backup1").GetProperty("last_seen").GetDateTimeOffset() > killedAt && n.GetProperty("backup1").GetProperty("status").GetString() == "active");
        Assert.That(await _backup.IsReadyAsync(), Is.True);
    }

    [Test]
    public async Task Revoke_NodeDownDuringTheRotation_FetchesTheNewPasswordsAtStart_AndStreamsAgain()
    {
        var again = _mesh!.Again(_away);
        var clock = Stopwatch.StartNew();
        await again.StartAndWaitReadyAsync(TimeSpan.FromSeconds(90));
        await TestContext.Out.WriteLineAsync($"compute2 ready {clock.ElapsedMilliseconds} ms after its start");

        Assert.That(Mesh.Credentials(again)[CredentialKeys.MeshCredentialsVersion], Is.EqualTo(Mesh.Credentials(Lead)[CredentialKeys.MeshCredentialsVersion]));
        Assert.That(again.Output, Does.Contain("rotated while this node was away"));
        await ReplicationViews.WaitForAsync(again, v => ReplicationViews.StreamsFrom(v, Lead), seconds: 40);

        // It opens the signing keys sealed with the new mesh key: its tokens verify on the lead.
        var (token, _) = await AuthClient.TokensAsync(again, "admin", _adminPassword);
        var (status, body, _) = await AuthClient.SendAsync(Lead, HttpMethod.Get, "/api/v1/auth/sessions", bearer: token);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
    }

    [Test]
    public async Task Revoke_SigningKeysReplaced_OldTokenRefused_NewLoginWorksOnTheOtherNodes()
    {
        var (old, body, _) = await AuthClient.SendAsync(Lead, HttpMethod.Get, "/api/v1/auth/sessions", bearer: _oldToken);
        Assert.That(old, Is.EqualTo(HttpStatusCode.Unauthorized), body.ToString());

        var (fresh, _) = await AuthClient.TokensAsync(_backup, "admin", _adminPassword);
        foreach (var node in new[] { Lead, _backup })
        {
            var (status, answer, _) = await AuthClient.SendAsync(node, HttpMethod.Get, "/api/v1/auth/sessions", bearer: fresh);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"{node.Config.Name}: {answer}");
        }

        // The stored keys are sealed with the new mesh key: the revoked node's copy of the old one opens none.
        var oldKey = new KeyEncryption(Base64Url.DecodeFromChars(_before[CredentialKeys.AuthMeshKey]));
        var newKey = new KeyEncryption(Base64Url.DecodeFromChars(Mesh.Credentials(Lead)[CredentialKeys.AuthMeshKey]));
        Assert.That(Mesh.Credentials(Lead)[CredentialKeys.AuthMeshKey], Is.Not.EqualTo(_before[CredentialKeys.AuthMeshKey]));
        await using var conn = await NodeDatabase.OpenAsync(Lead);
        var rows = (await conn.QueryAsync<(string KeyId, byte[] Sealed)>("SELECT kid, private_key FROM auth.signing_keys")).ToList();
        Assert.That(rows, Has.Count.EqualTo(1), "the keys before the revocation are dropped");
        foreach (var (keyId, sealedKey) in rows)
        {
            Assert.That(() => oldKey.Open(sealedKey, keyId), Throws.InstanceOf<KeyDecryptionException>());
            Assert.That(newKey.Open(sealedKey, keyId), Is.Not.Empty);
        }
    }

    [Test]
    public async Task Revoke_MeshCredentials_ServedToANode_RefusedToTheRevokedNodeAndToUsers()
    {
        var compute1 = _mesh!.Temp.Combine("compute1", "data");
        using var revokedKey = NodeSigningKey.Load(ReadCredentials(compute1)[CredentialKeys.NodeSigningKey], "compute1");
        using var backupKey = NodeSigningKey.Load(Mesh.Credentials(_backup)[CredentialKeys.NodeSigningKey], "backup1");
        using var revoked = new MeshSecretsClient(revokedKey, TimeProvider.System);
        var refused = await Assert.ThrowsAsync<MeshSecretsFetchException>(() => revoked.FetchAsync(new Uri(Lead.Config.ApiUrl), CancellationToken.None));
        Assert.That(refused!.Status.HasValue && refused.Status.Value == HttpStatusCode.Unauthorized, Is.True, refused.Message);

        using var node = new MeshSecretsClient(backupKey, TimeProvider.System);
        var served = await node.FetchAsync(new Uri(Lead.Config.ApiUrl), CancellationToken.None);
        Assert.That(served.Values[CredentialKeys.RedisPassword], Is.EqualTo(Mesh.Credentials(Lead)[CredentialKeys.RedisPassword]));

        var (fresh, _) = await AuthClient.TokensAsync(Lead, "admin", _adminPassword);
        var (user, _, _) = await AuthClient.SendAsync(Lead, HttpMethod.Get, MeshSecrets.EndpointPath, bearer: fresh);
        Assert.That(user, Is.EqualTo(HttpStatusCode.Forbidden), "not even an admin: nodes only");
    }

    [Test]
    public void Revoke_CliReportsTheRotation_NoPasswordInItsOutputOrAnyLog()
    {
        Assert.That(_revoke.Stdout, Does.Contain("node compute1 revoked").And.Contain("passwords were rotated (auth, redis, postgres").And.Contain("slot replica_compute1 dropped").And.Contain("signing keys replaced"));

        var logs = string.Concat(Directory.GetFiles(_temp.Path, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText));
        var everything = logs + _revoke.Stdout + _revoke.Stderr + Lead.Output + _backup.Output;
        var secrets = MeshSecrets.Keys.SelectMany(k => new[] { _before[k], Mesh.Credentials(Lead)[k] }).ToList();
        Assert.That(logs, Does.Contain("Rotated the mesh's passwords after revoking {Node}"));
        foreach (var secret in secrets)
        {
            Assert.That(everything, Does.Not.Contain(secret));
        }
    }

    // The master counts each replica that synced with it again (after re-authenticating with masterauth).
    private static async Task<long> ResyncsAsync(IServer master)
    {
        var stats = await master.InfoRawAsync("stats") ?? "";
        return stats.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("sync_full:", StringComparison.Ordinal) || l.StartsWith("sync_partial_ok:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.IndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<string?> RefusalAsync(string user, string password)
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

    private static Dictionary<string, string> ReadCredentials(string dataDir) =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(dataDir, "credentials")))!;
}
