using System.Diagnostics;
using System.Security.Cryptography;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Router;

public sealed class DigestRestartTests
{
    [Test]
    public async Task Tags_NodeRestartedWithTheModelUnchanged_DigestFromTheDataDirNotHashedAgain()
    {
        using var temp = new TempDirectory();
        var config = new NodeConfigFile(temp, "d1");
        var models = Path.Combine(config.DataDir, "models");
        Directory.CreateDirectory(models);
        var path = TinyGguf.Write(Path.Combine(models, "tiny.gguf"));
        var written = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        config.Sections["modules"] = NodeConfigFile.ShortRegistryIntervals + "\n" + RouterNode.RouterSection(LlamaTestLibrary.Directory, models);
        var first = await DigestAfterAStartAsync(config);

        // Other weights, the same size and time: a node that hashed the file again would list another digest.
        var time = File.GetLastWriteTimeUtc(path);
        TinyGguf.Write(path, seed: 99);
        File.SetLastWriteTimeUtc(path, time);
        var rewritten = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        var second = await DigestAfterAStartAsync(config);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(written));
            Assert.That(rewritten, Is.Not.EqualTo(written));
            Assert.That(second, Is.EqualTo(first));
            Assert.That(File.Exists(Path.Combine(config.DataDir, "router", "digests.json")), Is.True);
        });
    }

    private static async Task<string> DigestAfterAStartAsync(NodeConfigFile config)
    {
        await using var node = new NodeProcess(config);
        var started = Stopwatch.StartNew();
        await node.StartAndWaitReadyAsync();
        var ready = started.Elapsed;
        var tags = await node.GetJsonAsync("/api/tags");
        TestContext.Progress.WriteLine($"node ready in {ready.TotalSeconds:F1} s, first /api/tags {(started.Elapsed - ready).TotalMilliseconds:F0} ms later");
        return tags.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "tiny:latest").GetProperty("digest").GetString()!;
    }
}
