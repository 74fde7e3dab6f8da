using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Registry;

/// <summary>The registry when the lead's machine is gone (its node and the mesh's Redis killed).</summary>
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

        Posix.Kill(mesh.Lead.Pid, Posix.SigKill);
        Posix.Kill(redisPid, Posix.SigKill);
        var nodes = await backup.GetJsonAsync("/nodes");

        Assert.That(nodes.GetProperty("source").GetString(), Is.EqualTo("cache"));
        Assert.That(nodes.GetProperty("nodes").EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "lead", "backup1" }));
        await RegistryTests.WaitForAsync(backup, n => RegistryTests.Status(n.GetProperty("lead")) == "offline");
    }
}
