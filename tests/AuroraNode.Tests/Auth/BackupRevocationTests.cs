using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using AuroraNode.Tests.Registry;
using AuroraNode.Tests.Replication;
using AuroraNode.Tests.TestKit;
using Dapper;
using StackExchange.Redis;

namespace AuroraNode.Tests.Auth;

/// <summary>
/// Revoking the backup (a Redis Sentinel, a Redis replica, the synchronous standby): a lead, the backup, compute1 with
/// the third Sentinel and compute2, which is frozen (SIGSTOP) with its Redis connections closed while the backup is
/// revoked, so it misses <c>mesh_credentials_rotated</c>. The lead stays the primary and keeps committing, goes on
/// asynchronously, the backup's replica and Sentinel are cut off and forgotten, and compute2 catches up once resumed.
/// </summary>
[NonParallelizable]
public sealed class BackupRevocationTests
{
    private TempDirectory _temp = null!;
    private Mesh? _mesh;
    private NodeProcess _backup = null!;
    private NodeProcess _sentinelNode = null!;
    private NodeProcess _frozen = null!;
    private bool _isFrozen;
    private CommitWriter? _writer;
    private Dictionary<string, string> _before = null!;
    private CliResult _revoke = null!;
    private TimeSpan _revokeEndedAt;
    private int _leadOutputAtRevoke;
    private readonly Stopwatch _resumed = new();

    private NodeProcess Lead => _mesh!.Lead;

    private string Password => Mesh.Credentials(Lead)[CredentialKeys.RedisPassword];

    [OneTimeSetUp]
    public async Task StartMeshFreezeComputeNodeAndRevokeTheBackupAsync()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp);
        _backup = await _mesh.AddAsync("backup1", "backup");
        _sentinelNode = await _mesh.AddAsync("compute1", "compute", c => c.Sections["redis"] = $"sentinel: true\nsentinel_port: {c.SentinelPort}");
        _frozen = await _mesh.AddAsync("compute2", "compute");
        await ReplicationViews.WaitForAsync(Lead, v => ReplicationViews.HasSyncStandby("backup1")(v) && ReplicationViews.HasStreamingReplica(v, "compute1") && ReplicationViews.HasStreamingReplica(v, "compute2"), seconds: 40);
        await SentinelFailoverTests.WaitForSentinelsAsync(Lead, Password, others: 2, replicas: 1);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={Password}"))
        {
            await RegistryTests.WaitUntilAsync(async () => await redis.GetDatabase().HashExistsAsync("aurora:redis:members", "backup1"));
        }

        _before = Mesh.Credentials(Lead);
        _writer = await CommitWriter.StartAsync(Lead);

        // compute2 misses the event: frozen, and its connections to Redis closed meanwhile (as a cut link or a Redis timeout would).
        Assert.That(Posix.Kill(_frozen.Pid, Posix.SigStop), Is.Zero);
        _isFrozen = true;
        await KillClientsAsync("aurora-node:compute2");

        _leadOutputAtRevoke = Lead.Output.Length;
        var clock = Stopwatch.StartNew();
        _revoke = await Executable.RunAsync("nodes", "revoke", "backup1", "--config", Lead.Config.Path);
        _revokeEndedAt = _writer.Clock.Elapsed;
        await TestContext.Out.WriteLineAsync($"revoking the backup: {clock.ElapsedMilliseconds} ms\n{_revoke.Stdout}{_revoke.Stderr}");
        Assert.That(_revoke.ExitCode, Is.Zero, _revoke.Stderr + _revoke.Stdout);

        Assert.That(Posix.Kill(_frozen.Pid, Posix.SigCont), Is.Zero);
        _isFrozen = false;
        _resumed.Start();
    }

    [OneTimeTearDown]
    public async Task StopMeshAsync()
    {
        if (_isFrozen)
        {
            Posix.Kill(_frozen.Pid, Posix.SigCont);
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Test]
    public async Task Revoke_Backup_LeadStaysPrimaryAndKeepsCommitting_NeitherFencedNorFailedOver()
    {
        // Commits for a while after the revoke, through the Sentinel and replica changes it made.
        await RegistryTests.WaitUntilAsync(() => Task.FromResult(_writer!.Clock.Elapsed > _revokeEndedAt + TimeSpan.FromSeconds(8)));
        var acks = _writer!.Acknowledged.Select(a => a.At).ToList();
        var longestGap = acks.Zip(acks.Skip(1), (a, b) => b - a).Max();
        await TestContext.Out.WriteLineAsync($"{acks.Count} commits, longest gap between two {longestGap.TotalMilliseconds:F0} ms, {acks.Count(a => a > _revokeEndedAt)} after the revoke");

        Assert.That(acks.Count(a => a > _revokeEndedAt + TimeSpan.FromSeconds(6)), Is.GreaterThan(10), "commits go on after the revoke");
        Assert.That(longestGap, Is.LessThan(TimeSpan.FromSeconds(5)), "no commit waits on the revoked standby, no fence");
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={Password}");
        Assert.That((string?)await redis.GetDatabase().StringGetAsync("aurora:replication:leader"), Is.EqualTo("lead"));
        Assert.That(ReplicationViews.IsPrimary(await Lead.GetJsonAsync("/api/v1/replication")), Is.True);
        // From the revoke on (while the mesh starts, a Sentinel not yet known to all can make one renewal wait).
        Assert.That(Lead.Output[_leadOutputAtRevoke..], Does.Not.Contain("Cannot renew the leader lease").And.Not.Contain("Most Redis Sentinels do not confirm").And.Not.Contain("No Redis replica acknowledged"));
    }

    [Test]
    public async Task Revoke_Backup_NoLongerTheSyncStandby_PrimaryGoesOnAsynchronouslyWithAnAlert()
    {
        await using var conn = await NodeDatabase.OpenAsync(Lead);
        await RegistryTests.WaitUntilAsync(async () => await conn.ExecuteScalarAsync<string>("SELECT current_setting('synchronous_standby_names')") == "");
        await RegistryTests.WaitUntilAsync(() => Task.FromResult(Lead.Output.Contains("No backup streams from this primary", StringComparison.Ordinal)));
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={Password}");
        Assert.That(await redis.GetDatabase().KeyExistsAsync("aurora:replication:sync"), Is.False, "the revoked node is not trusted to promote");
        Assert.That(_revoke.Stdout, Does.Contain("backup1 is no longer the synchronous standby"));

        // Its replica cannot stream again: the old replicator password is refused.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var streams = (await conn.QueryAsync<string>("SELECT application_name FROM pg_stat_replication")).ToList();
        var slots = (await conn.QueryAsync<string>("SELECT slot_name FROM pg_replication_slots")).ToList();
        Assert.That(streams, Does.Not.Contain("backup1").And.Contain("compute1"));
        Assert.That(slots, Does.Not.Contain("replica_backup1"));
    }

    [Test]
    public async Task Revoke_Backup_ItsRedisReplicaCutOff_NeitherItsServerNorItsSentinelGetsTheNewPassword()
    {
        var (old, current) = (_before[CredentialKeys.RedisPassword], Password);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={current},allowAdmin=true");
        var info = await redis.GetServer("127.0.0.1", Lead.Config.RedisPort).InfoRawAsync("replication") ?? "";
        Assert.That(info, Does.Not.Contain($"port={_backup.Config.RedisPort},"), "the master lists no replica of the backup");

        foreach (var port in new[] { _backup.Config.RedisPort, _backup.Config.SentinelPort })
        {
            Assert.That(await RedisPassword.AcceptedAsync(port, current), Is.False, $"the revoked backup's port {port} never learns the new password");
        }

        foreach (var port in new[] { Lead.Config.RedisPort, Lead.Config.SentinelPort, _sentinelNode.Config.SentinelPort })
        {
            Assert.That(await RedisPassword.AcceptedAsync(port, old), Is.False, $"port {port} still takes the old password");
            Assert.That(await RedisPassword.AcceptedAsync(port, current), Is.True, $"port {port} does not take the new password");
        }
    }

    [Test]
    public async Task Revoke_Backup_ItsSentinelLeavesTheOthersViewTheRegisteredSetAndEveryNodesList()
    {
        var removed = $"127.0.0.1:{_backup.Config.SentinelPort}";
        Assert.That(_revoke.Stdout, Does.Contain($"Sentinel {removed} removed"));
        foreach (var node in new[] { Lead, _sentinelNode })
        {
            // Reset, they learn each other again through the master, and no replica (the backup's was the only one).
            await SentinelFailoverTests.WaitForSentinelsAsync(node, Password, others: 1, replicas: 0);
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={Password}");
        var registered = (await redis.GetDatabase().SetMembersAsync("aurora:redis:sentinels")).Select(v => (string)v!).Order().ToList();
        Assert.That(registered, Is.EqualTo(new[] { $"127.0.0.1:{Lead.Config.SentinelPort}", $"127.0.0.1:{_sentinelNode.Config.SentinelPort}" }.Order()));
        Assert.That(await redis.GetDatabase().HashExistsAsync("aurora:redis:members", "backup1"), Is.False);

        // Each node forgets it at its next refresh (10 s), so it is neither counted by the dispute check nor given to joiners.
        foreach (var node in new[] { Lead, _sentinelNode })
        {
            await RegistryTests.WaitUntilAsync(() => Task.FromResult(!Mesh.Credentials(node).GetValueOrDefault(CredentialKeys.RedisSentinels, "").Contains(removed, StringComparison.Ordinal)));
        }
    }

    [Test]
    public async Task Revoke_NodeFrozenThroughTheRotation_CatchesUpThroughTheVersionCheck_ThenRedisAndWritesWork()
    {
        await RegistryTests.WaitUntilAsync(() => Task.FromResult(Mesh.Credentials(_frozen).GetValueOrDefault(CredentialKeys.MeshCredentialsVersion) == Mesh.Credentials(Lead)[CredentialKeys.MeshCredentialsVersion]));
        await TestContext.Out.WriteLineAsync($"compute2 held the new passwords {_resumed.ElapsedMilliseconds} ms after it was resumed");
        var (lead, frozen) = (Mesh.Credentials(Lead), Mesh.Credentials(_frozen));
        Assert.That(MeshSecrets.Keys.Select(k => frozen[k]), Is.EqualTo(MeshSecrets.Keys.Select(k => lead[k])));
        Assert.That(_frozen.Output, Does.Contain("Applied the mesh's rotated passwords"));
        await RegistryTests.WaitUntilAsync(() => Task.FromResult(!Mesh.Credentials(_frozen).GetValueOrDefault(CredentialKeys.RedisSentinels, "").Contains($":{_backup.Config.SentinelPort}", StringComparison.Ordinal)));

        // Its Redis client reconnects with the new password; its next PostgreSQL connections too.
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={Password},allowAdmin=true");
        await RegistryTests.WaitUntilAsync(async () => (await redis.GetServer("127.0.0.1", Lead.Config.RedisPort).ClientListAsync()).Any(c => c.Name == "aurora-node:compute2"));
        await using var conn = await NodeDatabase.OpenAsync(Lead);
        await conn.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'aurora-node:compute2'");
        // Its pool may hand out one of the ended connections once (57P01): the next request opens a new one.
        var status = HttpStatusCode.InternalServerError;
        for (var attempt = 0; attempt < 5 && status != HttpStatusCode.Created; attempt++)
        {
            using var created = await _frozen.Http.PostAsJsonAsync("/api/v1/auth/users", new { username = "after-catch-up", password = "correct horse battery", roles = new[] { "user" } });
            status = created.StatusCode;
        }

        Assert.That(status, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM auth.users WHERE username = 'after-catch-up'"), Is.EqualTo(1), "the write reached the primary");
    }

    [Test]
    public async Task Revoke_ThePrimary_RefusedOnEveryNodeEvenForced_NothingRevoked()
    {
        var onAnother = await Executable.RunAsync("nodes", "revoke", "lead", "--force", "--config", _sentinelNode.Config.Path);
        var onItself = await Executable.RunAsync("nodes", "revoke", "lead", "--config", Lead.Config.Path);

        Assert.That(onAnother.ExitCode, Is.Not.Zero);
        Assert.That(onAnother.Stderr, Does.Contain("409").And.Contain("lead is the mesh's primary").And.Contain("demote --to"));
        Assert.That(onItself.ExitCode, Is.Not.Zero);
        Assert.That(onItself.Stderr, Does.Contain("handles this revocation itself"));
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={Password}");
        Assert.That((await NodeKeys.GetAsync(redis.GetDatabase(), "lead"))!.RevokedAt, Is.Null);
    }

    [Test]
    public async Task Revoke_NodeWithOneOfTheLastTwoSentinels_RefusedUnlessForced_NothingRevoked()
    {
        var refused = await Executable.RunAsync("nodes", "revoke", "compute1", "--config", Lead.Config.Path);

        Assert.That(refused.ExitCode, Is.Not.Zero);
        Assert.That(refused.Stderr, Does.Contain("409").And.Contain("fewer than the 2 that must agree on a Redis failover").And.Contain("--force"));
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={Password}");
        Assert.That((await NodeKeys.GetAsync(redis.GetDatabase(), "compute1"))!.RevokedAt, Is.Null);
    }

    private async Task KillClientsAsync(string name)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Lead.Config.RedisPort},password={Password},allowAdmin=true");
        var server = redis.GetServer("127.0.0.1", Lead.Config.RedisPort);
        foreach (var client in (await server.ClientListAsync()).Where(c => c.Name == name))
        {
            await server.ClientKillAsync(client.Id, skipMe: true);
        }
    }
}
