using System.Diagnostics;
using System.Security.Cryptography;
using AuroraNode.Modules.Router.Models;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Router;

public sealed class DigestListingTests
{
    // Sparse: no disk space, yet hashing it reads 1 GiB (seconds), far longer than a listing waits.
    private const long BigFileBytes = 1L << 30;

    [Test]
    public async Task Tags_MultiGigabyteFileJustAppeared_ListedAtOnceWithAProvisionalDigest_ThenItsSha256()
    {
        using var temp = new TempDirectory();
        var config = new NodeConfigFile(temp, "d2");
        var models = Path.Combine(config.DataDir, "models");
        Directory.CreateDirectory(models);
        config.Sections["modules"] = NodeConfigFile.ShortRegistryIntervals + "\n" + RouterNode.RouterSection(LlamaTestLibrary.Directory, models);
        await using var node = new NodeProcess(config);
        await node.StartAndWaitReadyAsync();

        var path = TinyGguf.Write(Path.Combine(models, "big.gguf"));
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(BigFileBytes);
        }

        var info = new FileInfo(path);
        var listing = Stopwatch.StartNew();
        var first = Big(await node.GetJsonAsync("/api/tags"));
        var listed = listing.Elapsed;
        var hashed = Stopwatch.StartNew();
        var sha256 = await Task.Run(() => Sha256Of(path));
        TestContext.Progress.WriteLine($"first /api/tags {listed.TotalMilliseconds:F0} ms; the test hashed the file in {hashed.Elapsed.TotalMilliseconds:F0} ms");
        var last = first;
        for (var i = 0; i < 600 && last.GetProperty("digest").GetString() != sha256; i++)
        {
            await Task.Delay(100);
            last = Big(await node.GetJsonAsync("/api/tags"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(first.GetProperty("digest").GetString(), Is.EqualTo(DigestCache.Provisional(info.FullName, info.Length, info.LastWriteTimeUtc)), "listed before the hash ended");
            Assert.That(first.GetProperty("digest").GetString(), Does.Match("^[0-9a-f]{64}$"), "a digest as Ollama's clients expect (ollama list shows its first 12)");
            Assert.That(first.GetProperty("details").GetProperty("family").GetString(), Is.EqualTo("llama"), "the header's details do not wait for the hash");
            Assert.That(first.GetProperty("size").GetInt64(), Is.EqualTo(BigFileBytes));
            Assert.That(last.GetProperty("digest").GetString(), Is.EqualTo(sha256), "the file's SHA-256 once hashed in the background");
        });
    }

    private static System.Text.Json.JsonElement Big(System.Text.Json.JsonElement tags) =>
        tags.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "big:latest");

    private static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
