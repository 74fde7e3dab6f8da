using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Node;

[NonParallelizable]
public sealed class TwoNodesTests
{
    [Test]
    public async Task TwoNodes_FromTwoConfigFiles_RunSideBySide()
    {
        using var temp = new TempDirectory();
        await using var a = new NodeProcess(new NodeConfigFile(temp, "side-a"));
        await using var b = new NodeProcess(new NodeConfigFile(temp, "side-b", roles: "lead, backup")) { ExtraArgs = ["--json"] };

        await Task.WhenAll(a.StartAndWaitReadyAsync(), b.StartAndWaitReadyAsync());

        Assert.That((await a.GetJsonAsync("/api/v1/node")).GetProperty("name").GetString(), Is.EqualTo("side-a"));
        var bInfo = await b.GetJsonAsync("/api/v1/node");
        Assert.That(bInfo.GetProperty("name").GetString(), Is.EqualTo("side-b"));
        Assert.That(bInfo.GetProperty("roles").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "lead", "backup" }));
        Assert.That(bInfo.GetProperty("ready").GetBoolean(), Is.True);
        var jsonLines = b.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).ToList();
        Assert.That(jsonLines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("module").GetString()), Does.Contain("postgres"), "run --json logs compact JSON");
    }
}
