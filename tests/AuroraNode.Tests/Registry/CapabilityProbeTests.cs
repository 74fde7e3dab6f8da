using AuroraNode.Modules.Registry.Capabilities;

namespace AuroraNode.Tests.Registry;

public sealed class CapabilityProbeTests
{
    [Test]
    public void ParseNvidiaSmi_TwoGpus_GivesModelAndMemoryInGb()
    {
        var gpus = CapabilityProbe.ParseNvidiaSmi("NVIDIA GeForce RTX 4090, 24564\nNVIDIA GeForce RTX 4090, 24564\n");

        Assert.That(gpus, Is.EqualTo(new[] { ("NVIDIA GeForce RTX 4090", 24.0), ("NVIDIA GeForce RTX 4090", 24.0) }));
    }

    [TestCase("")]
    [TestCase("No devices were found\n")]
    [TestCase("NVIDIA H100, [N/A]\n")]
    public void ParseNvidiaSmi_NoUsableLine_GivesNoGpu(string output) =>
        Assert.That(CapabilityProbe.ParseNvidiaSmi(output), Is.Empty);
}
