using AuroraNode.Modules.Registry;
using AuroraNode.Modules.Registry.Nodes;

namespace AuroraNode.Tests.Registry;

public sealed class NodeStatusTests
{
    private static readonly RegistryOptions Seed = new(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromHours(72));
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [TestCase(null, 0, "active")]
    [TestCase(null, 119, "active")]
    [TestCase(null, 120, "warning")]
    [TestCase(null, 299, "warning")]
    [TestCase(null, 300, "offline")]
    [TestCase("left", 0, "left")]
    [TestCase("sleeping", 3600, "sleeping")]
    public void Of_SecondsSinceLastHeartbeat_GivesTheSeedStatus(string? state, int silentSeconds, string expected) =>
        Assert.That(NodeStatus.Of(state, Now.AddSeconds(-silentSeconds), Now, Seed), Is.EqualTo(expected));

    [Test]
    public void Of_NeverHeardFrom_IsOffline() =>
        Assert.That(NodeStatus.Of(null, null, Now, Seed), Is.EqualTo("offline"));
}
