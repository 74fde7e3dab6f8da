using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;

namespace AuroraNode.Tests.Node;

/// <summary>A node that uses a PostgreSQL and a Redis it does not run (postgres.managed: false, redis.url).</summary>
[NonParallelizable]
public sealed class UnmanagedServersTests
{
    [Test]
    public async Task ComputeNode_UsesTheConfiguredServersAndAppliesMigrationsThere()
    {
        using var temp = new TempDirectory();
        await using var pg = await ExternalPostgres.StartAsync(temp);
        await using var redis = await ExternalRedis.StartAsync(temp);
        var config = new NodeConfigFile(temp, "worker", roles: "compute");
        config.Sections["postgres"] = $"managed: false\nconnection_string: \"{pg.ConnectionString()}\"";
        config.Sections["redis"] = $"url: {redis.Url}";
        await using var node = new NodeProcess(config);

        await node.StartAndWaitReadyAsync();

        var postgres = await node.ModuleAsync("postgres");
        Assert.That(postgres.GetProperty("data").GetProperty("managed").GetBoolean(), Is.False);
        Assert.That((await node.ModuleAsync("redis")).GetProperty("state").GetString(), Is.EqualTo("running"));
        Assert.That(Directory.Exists(Path.Combine(config.DataDir, "postgres")), Is.False, "no server of its own");
        Assert.That(Directory.Exists(Path.Combine(config.DataDir, "redis")), Is.False, "no server of its own");
        await using var conn = new NpgsqlConnection(pg.ConnectionString());
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM node.starts WHERE node_name = 'worker'"), Is.EqualTo(1));
    }

    [Test]
    public async Task RedisGoesAway_NodeReportsDegradedThenRecovers()
    {
        using var temp = new TempDirectory();
        await using var pg = await ExternalPostgres.StartAsync(temp);
        var redis = await ExternalRedis.StartAsync(temp);
        var config = new NodeConfigFile(temp, "flaky", roles: "edge");
        config.Sections["postgres"] = $"managed: false\nconnection_string: \"{pg.ConnectionString()}\"";
        config.Sections["redis"] = $"url: {redis.Url}";
        config.Sections["api"] = $"listen: 127.0.0.1:{config.ApiPort}\nstatus_cache: 0s";
        await using var node = new NodeProcess(config);
        await node.StartAndWaitReadyAsync();

        await redis.DisposeAsync();
        await WaitForStateAsync(node, "degraded");
        Assert.That(await node.IsReadyAsync(), Is.False);
        await using var again = await ExternalRedis.RestartAsync(temp, redis);

        await node.WaitReadyAsync(TimeSpan.FromSeconds(30));
        Assert.That((await node.ModuleAsync("redis")).GetProperty("state").GetString(), Is.EqualTo("running"));
    }

    private static async Task WaitForStateAsync(NodeProcess node, string state)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await node.ModuleAsync("redis")).GetProperty("state").GetString() != state)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(until), $"redis never became {state}");
            await Task.Delay(100);
        }
    }
}
