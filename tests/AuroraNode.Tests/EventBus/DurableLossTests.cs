using System.Globalization;
using System.Text.RegularExpressions;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.EventBus;

/// <summary>A node away while more durable events were published than the streams keep: what it lost is counted, not silent.</summary>
[NonParallelizable]
public sealed class DurableLossTests
{
    private const int Published = 1000;

    [Test]
    public async Task NodeAwayLongerThanTheStreamKeeps_CountsEveryEventAsDeliveredOrLost()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp, lead => lead.Sections["modules"] = NodeConfigFile.ShortRegistryIntervals + "\neventbus:\n  stream_max_length: 100");
        var compute = await mesh.AddAsync("compute1", "compute");
        Assert.That(await compute.StopAsync(), Is.Zero);

        for (var i = 0; i < Published; i++)
        {
            await MeshEventsTests.PublishAsync(mesh.Lead, "aurora:ai:task", "render", new { n = i });
        }

        await using var again = new NodeProcess(compute.Config);
        await again.StartAndWaitReadyAsync();
        (double Delivered, double Lost) counts = default;
        await Registry.RegistryTests.WaitUntilAsync(async () =>
        {
            var metrics = await again.Http.GetStringAsync("/metrics");
            counts = (Counter(metrics, "aurora_events_delivered"), Counter(metrics, "aurora_events_lost"));
            return counts.Delivered + counts.Lost >= Published;
        });

        Assert.That(counts.Delivered + counts.Lost, Is.EqualTo(Published), $"delivered {counts.Delivered}, lost {counts.Lost}");
        Assert.That(counts.Lost, Is.GreaterThan(0));
        Assert.That(again.Output, Does.Contain($"Lost {counts.Lost} events of the durable channel aurora:ai:task"));
    }

    // The counter's value for aurora:ai:task (0 when the node has not exported it yet).
    private static double Counter(string metrics, string name)
    {
        var match = Regex.Match(metrics, $@"(?m)^{name}(_total)?\{{[^}}]*channel=""aurora:ai:task""[^}}]*\}} (\S+)");
        return match.Success ? double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
    }
}
