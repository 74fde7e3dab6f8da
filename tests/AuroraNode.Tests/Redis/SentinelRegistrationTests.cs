using System.Net.Sockets;
using AuroraNode.Tests.TestKit;
using StackExchange.Redis;

namespace AuroraNode.Tests.Redis;

/// <summary>
/// A node's Sentinel is in the mesh's Redis (<c>aurora:redis:sentinels</c>) before it can vote, so that a primary asking
/// whether its master is disputed counts it from the start; one that cannot be registered does not start.
/// </summary>
[NonParallelizable]
public sealed class SentinelRegistrationTests
{
    private const string SentinelsKey = "aurora:redis:sentinels";

    [Test]
    public async Task JoiningNodesSentinel_IsRegisteredInTheMeshsRedis_BeforeItsPortFirstAnswers()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp);
        await using var redis = await LeadRedisAsync(mesh);
        var sentinelPort = 0;
        var joining = mesh.AddAsync("compute1", "compute", c =>
        {
            sentinelPort = c.SentinelPort;
            c.Sections["redis"] = $"sentinel: true\nsentinel_port: {c.SentinelPort}";
        });

        // The first moment the Sentinel accepts a connection, it must already be registered.
        bool? registeredWhenFirstUp = null;
        while (registeredWhenFirstUp is null && !joining.IsCompleted)
        {
            if (sentinelPort != 0 && await AcceptsAsync(sentinelPort))
            {
                registeredWhenFirstUp = await redis.GetDatabase().SetContainsAsync(SentinelsKey, $"127.0.0.1:{sentinelPort}");
            }
            else
            {
                await Task.Delay(5);
            }
        }

        await joining;
        Assert.That(registeredWhenFirstUp, Is.True, "the Sentinel answered before it was in aurora:redis:sentinels (or was never seen answering)");
    }

    [Test]
    public async Task SentinelThatCannotBeRegistered_DoesNotStart_AndStartUpNamesWhy_ThenStartsOnceTheMasterAnswers()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp);
        var compute = await mesh.AddAsync("compute1", "compute");
        await compute.StopAsync();
        compute.Config.Sections["redis"] = $"sentinel: true\nsentinel_port: {compute.Config.SentinelPort}";

        var redisPid = int.Parse(File.ReadLines(Path.Combine(mesh.Lead.Config.DataDir, "redis", "redis.pid")).First());
        Assert.That(Posix.Kill(redisPid, Posix.SigStop), Is.Zero);
        NodeProcess refused;
        try
        {
            refused = mesh.Again(compute);
            refused.Start();
            var exitCode = await refused.WaitForExitAsync(TimeSpan.FromSeconds(90));
            Assert.That(exitCode, Is.Not.Zero, refused.Output);
            Assert.That(refused.Output, Does.Contain("redis.sentinel").And.Contain("could not register this node's Sentinel"));
            Assert.That(await AcceptsAsync(compute.Config.SentinelPort), Is.False, "the unregistered Sentinel must not be running");
        }
        finally
        {
            Posix.Kill(redisPid, Posix.SigCont);
        }

        var again = mesh.Again(compute);
        await again.StartAndWaitReadyAsync();
        await using var redis = await LeadRedisAsync(mesh);
        Assert.That(await redis.GetDatabase().SetContainsAsync(SentinelsKey, $"127.0.0.1:{compute.Config.SentinelPort}"), Is.True);
        Assert.That(await AcceptsAsync(compute.Config.SentinelPort), Is.True, "registered now, the Sentinel runs");
    }

    private static Task<ConnectionMultiplexer> LeadRedisAsync(Mesh mesh) =>
        ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{mesh.Lead.Config.RedisPort},password={Mesh.Credentials(mesh.Lead)["redis.password"]}");

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
