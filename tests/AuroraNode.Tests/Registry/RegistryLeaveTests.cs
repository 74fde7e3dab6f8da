using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Registry;

/// <summary>A node that leaves, or goes to sleep, on purpose.</summary>
[NonParallelizable]
public sealed class RegistryLeaveTests
{
    [Test]
    public async Task LeaveCommand_NodeStopsAndStaysLeftNotOffline()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp);
        var laptop = await mesh.AddAsync("laptop1", "edge");
        await RegistryTests.WaitForAsync(mesh.Lead, n => n.TryGetProperty("laptop1", out var v) && RegistryTests.Status(v) == "active");

        var result = await Executable.RunAsync("leave", "--config", laptop.Config.Path);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(await laptop.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.Zero, "the node stops cleanly after leaving");
        await Task.Delay(TimeSpan.FromSeconds(5)); // longer than offline_after (4 s)
        var node = await mesh.Lead.GetJsonAsync("/nodes/laptop1");
        Assert.That(RegistryTests.Status(node), Is.EqualTo("left"));
        Assert.That(await RegistryTests.AlertsAsync(mesh.Lead, "laptop1", "node_offline"), Is.Empty, "leaving is not an incident");
    }

    [Test]
    public async Task SleepCommand_NodeShowsSleepingNotOffline_UntilWakeMakesItActive()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp);
        var laptop = await mesh.AddAsync("laptop1", "edge");
        await RegistryTests.WaitForAsync(mesh.Lead, n => n.TryGetProperty("laptop1", out var v) && RegistryTests.Status(v) == "active");

        var slept = await Executable.RunAsync("sleep", "--config", laptop.Config.Path);
        Assert.That(slept.ExitCode, Is.Zero, slept.ToString());
        var lastSeen = (await mesh.Lead.GetJsonAsync("/nodes/laptop1")).GetProperty("last_seen").GetDateTimeOffset();
        await Task.Delay(TimeSpan.FromSeconds(5)); // longer than offline_after (4 s)
        var asleep = await mesh.Lead.GetJsonAsync("/nodes/laptop1");
        Assert.That(RegistryTests.Status(asleep), Is.EqualTo("sleeping"));
        Assert.That(asleep.GetProperty("last_seen").GetDateTimeOffset(), Is.EqualTo(lastSeen), "no heartbeats while asleep");
        Assert.That(await RegistryTests.AlertsAsync(mesh.Lead, "laptop1", "node_offline"), Is.Empty, "sleeping is not an incident");

        var woke = await Executable.RunAsync("wake", "--config", laptop.Config.Path);
        Assert.That(woke.ExitCode, Is.Zero, woke.ToString());
        await RegistryTests.WaitForAsync(mesh.Lead, n => n.TryGetProperty("laptop1", out var v) && RegistryTests.Status(v) == "active");
    }
}
