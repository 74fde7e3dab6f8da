using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Registry;

/// <summary>
/// The registry when the lead's machine is gone (its node and the mesh's Redis killed) and no third Sentinel lets
/// Redis fail over: the backup answers from its own Redis replica, or from its last copy.
/// </summary>
[NonParallelizable]
public sealed class RegistryLeadLossTests
{
    [Test]
    public async Task LeadKilled_TheBackupStillAnswersNodes()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp);
        var backup = await mesh.AddAsync("backup1", "backup");
        await RegistryTests.WaitForAsync(backup, n => n.TryGetProperty("lead", out _) && n.TryGetProperty("backup1", out _));
        var redisPid = int.Parse(File.ReadAllText(Path.Combine(mesh.Lead.Config.DataDir, "redis", "redis.pid")).Trim());

        var password = Mesh.Credentials(mesh.Lead)["redis.password"];
        await using (var replica = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{backup.Config.RedisPort},password={password},allowAdmin=true"))
        {
            await RegistryTests.WaitUntilAsync(async () => (await replica.GetServer("127.0.0.1", backup.Config.RedisPort).InfoRawAsync("replication"))!.Contains("master_link_status:up"));
        }

        Posix.Kill(mesh.Lead.Pid, Posix.SigKill);
        Posix.Kill(redisPid, Posix.SigKill);
        var nodes = await backup.GetJsonAsync("/nodes");

        Assert.That(nodes.GetProperty("source").GetString(), Is.AnyOf("redis", "cache"));
        Assert.That(nodes.GetProperty("nodes").EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "lead", "backup1" }));
        await RegistryTests.WaitForAsync(backup, n => RegistryTests.Status(n.GetProperty("lead")) == "offline");
    }
}
