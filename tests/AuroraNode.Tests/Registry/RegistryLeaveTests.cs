using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Registry;

/// <summary>A node that leaves on purpose.</summary>
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

        var result = await Executable.RunAsync("leave", "--api", laptop.Config.ApiUrl);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(await laptop.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.Zero, "the node stops cleanly after leaving");
        await Task.Delay(TimeSpan.FromSeconds(5)); // longer than offline_after (4 s)
        var node = await mesh.Lead.GetJsonAsync("/nodes/laptop1");
        Assert.That(RegistryTests.Status(node), Is.EqualTo("left"));
        Assert.That(await RegistryTests.AlertsAsync(mesh.Lead, "laptop1", "node_offline"), Is.Empty, "leaving is not an incident");
    }
}
