using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Node;

/// <summary>Crashes and kills: the node restarts its children and survives its own SIGKILL.</summary>
[NonParallelizable]
public sealed class SupervisionTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task PostgresKilled_IsRestartedAndTheNodeIsReadyAgain()
    {
        await using var node = new NodeProcess(new NodeConfigFile(_temp, "pgkill"));
        await node.StartAndWaitReadyAsync();
        var before = (await node.ModuleAsync("postgres")).GetProperty("data").GetProperty("pid").GetInt32();

        Posix.Kill(before, Posix.SigKill);
        await WaitUntilAsync(async () => IsRunningAgain(await node.ModuleAsync("postgres"), before));
        await node.WaitReadyAsync();

        Assert.That(node.Output, Does.Contain("PostgreSQL exited with code"));
        var metrics = await node.Http.GetStringAsync("/metrics");
        var restarts = metrics.Split('\n').Where(l => l.StartsWith("aurora_server_restarts", StringComparison.Ordinal));
        Assert.That(restarts, Does.Contain("aurora_server_restarts{server=\"PostgreSQL\"} 1"));
    }

    [Test]
    public async Task RedisKilled_IsRestartedAndTheNodeIsReadyAgain()
    {
        await using var node = new NodeProcess(new NodeConfigFile(_temp, "rediskill"));
        await node.StartAndWaitReadyAsync();
        var before = (await node.ModuleAsync("redis")).GetProperty("data").GetProperty("pid").GetInt32();

        Posix.Kill(before, Posix.SigKill);
        await WaitUntilAsync(async () => IsRunningAgain(await node.ModuleAsync("redis"), before));
        await node.WaitReadyAsync();

        Assert.That(node.Output, Does.Contain("redis-server exited with code"));
    }

    [Test]
    public async Task NodeKilledWithSigkill_RestartsOnTheSameDataDirAndKeepsItsData()
    {
        var config = new NodeConfigFile(_temp, "sigkill");
        await using (var first = new NodeProcess(config))
        {
            await first.StartAndWaitReadyAsync();
            Posix.Kill(first.Pid, Posix.SigKill);
            Assert.That(await Posix.WaitGoneAsync(first.Pid, TimeSpan.FromSeconds(10)), Is.True);
        }

        // Disposing the first NodeProcess killed what it left running; do it the hard way too: leave the children alive.
        await using var second = new NodeProcess(config);
        await second.StartAndWaitReadyAsync();

        var info = await second.GetJsonAsync("/api/v1/node");
        Assert.That(info.GetProperty("starts").GetInt64(), Is.EqualTo(2), "the start history survived");
        Assert.That(info.GetProperty("ready").GetBoolean(), Is.True);
    }

    [Test]
    public async Task NodeKilledWithSigkill_WhileItsServersRun_StopsTheLeftoversAndStarts()
    {
        var config = new NodeConfigFile(_temp, "orphans");
        var first = new NodeProcess(config);
        await first.StartAndWaitReadyAsync();
        var pg = (await first.ModuleAsync("postgres")).GetProperty("data").GetProperty("pid").GetInt32();
        var redis = (await first.ModuleAsync("redis")).GetProperty("data").GetProperty("pid").GetInt32();
        Posix.Kill(first.Pid, Posix.SigKill);
        Assert.That(await Posix.WaitGoneAsync(first.Pid, TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(Posix.IsAlive(pg) && Posix.IsAlive(redis), Is.True, "the servers outlive a SIGKILLed node");

        await using var second = new NodeProcess(config);
        await second.StartAndWaitReadyAsync();

        Assert.That(second.Output, Does.Contain($"Stopping PostgreSQL (pid {pg}) left running by an earlier node process: fast shutdown"));
        Assert.That(second.Output, Does.Match($@"Stopped PostgreSQL \(pid {pg}\) left running by an earlier node process: fast shutdown in \d\.\d s"), "a clean stop, far below the 30 s stop timeout");
        Assert.That(second.Output, Does.Contain($"Stopped redis-server (pid {redis}) left running"));
        Assert.That(Posix.IsRunning(pg), Is.False, "the leftover postmaster is stopped (a zombie not yet reaped by PID 1 counts as stopped)");
    }

    [Test]
    public async Task Sigterm_StopsPostgresAndRedisCleanlyAndExits0()
    {
        var node = new NodeProcess(new NodeConfigFile(_temp, "sigterm"));
        await node.StartAndWaitReadyAsync();
        var data = (await node.GetJsonAsync("/api/v1/node")).GetProperty("modules");
        var pids = data.EnumerateArray().Where(m => m.GetProperty("data").TryGetProperty("pid", out _))
            .Select(m => m.GetProperty("data").GetProperty("pid").GetInt32()).ToList();
        Assert.That(pids, Has.Count.EqualTo(2));

        var exit = await node.StopAsync(Posix.SigTerm);

        Assert.That(exit, Is.Zero, node.Output);
        Assert.That(pids.All(p => !Posix.IsAlive(p)), Is.True);
        Assert.That(node.Output, Does.Contain("PostgreSQL stopped cleanly").And.Contain("redis-server stopped cleanly"));
        Assert.That(File.Exists(Path.Combine(node.Config.DataDir, "postgres", "postmaster.pid")), Is.False);
        await node.DisposeAsync();
    }

    [Test]
    public async Task FirstStartKilledDuringInitdb_NextStartBuildsAFreshDataDir()
    {
        var config = new NodeConfigFile(_temp, "halfinit");
        var first = new NodeProcess(config);
        first.Start();
        var building = Path.Combine(config.DataDir, "postgres.initdb");
        await WaitUntilAsync(() => Task.FromResult(Directory.Exists(building)));
        Posix.Kill(first.Pid, Posix.SigKill);
        await first.DisposeAsync();

        await using var second = new NodeProcess(config);
        await second.StartAndWaitReadyAsync();

        Assert.That(Directory.Exists(building), Is.False);
        Assert.That(File.Exists(Path.Combine(config.DataDir, "postgres", "PG_VERSION")), Is.True);
    }

    private static bool IsRunningAgain(JsonElement module, int oldPid) =>
        module.GetProperty("state").GetString() == "running"
        && module.GetProperty("data").GetProperty("restarts").GetInt32() == 1
        && module.GetProperty("data").GetProperty("pid").ValueKind == JsonValueKind.Number
        && module.GetProperty("data").GetProperty("pid").GetInt32() != oldPid;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException or KeyNotFoundException)
            {
                // Not there yet.
            }

            await Task.Delay(20);
        }

        Assert.Fail("condition not met within 30 s");
    }
}
