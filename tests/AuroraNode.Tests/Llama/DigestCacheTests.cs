using System.Security.Cryptography;
using System.Text.Json;
using AuroraNode.Modules.Router.Models;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Llama;

/// <summary>Model digests kept in the data dir: a restart knows the digests of unchanged files without hashing them.</summary>
public sealed class DigestCacheTests
{
    [Test]
    public void Known_NewCacheOverTheSameFile_DigestAtOnceWithoutHashing()
    {
        using var dir = new TempDirectory();
        var model = Model(dir, "m.gguf", fill: 1);
        var list = DigestCache.FileIn(dir.Combine("data"));
        var digest = new DigestCache(list, new RecordingLogger<DigestCache>()).Of(model.FullName, model.Length, model.LastWriteTimeUtc);

        // Other bytes, the same size and time: a cache that hashed the file again would give the new bytes' digest.
        Rewrite(model, fill: 2);
        var restarted = new DigestCache(list, new RecordingLogger<DigestCache>());

        Assert.Multiple(() =>
        {
            Assert.That(digest, Is.EqualTo(Sha256(1, model.Length)));
            Assert.That(restarted.Known(model.FullName, model.Length, model.LastWriteTimeUtc), Is.EqualTo(digest));
            Assert.That(File.Exists(list + ".tmp"), Is.False, "the temporary file was renamed");
        });
    }

    [Test]
    public void Of_FileChangedSinceSaved_HashedAgain()
    {
        using var dir = new TempDirectory();
        var model = Model(dir, "m.gguf", fill: 1);
        var list = DigestCache.FileIn(dir.Path);
        new DigestCache(list, new RecordingLogger<DigestCache>()).Of(model.FullName, model.Length, model.LastWriteTimeUtc);

        Rewrite(model, fill: 2, time: model.LastWriteTimeUtc.AddSeconds(5));
        model.Refresh();
        var restarted = new DigestCache(list, new RecordingLogger<DigestCache>());

        Assert.That(restarted.Of(model.FullName, model.Length, model.LastWriteTimeUtc), Is.EqualTo(Sha256(2, model.Length)));
    }

    [TestCase("{not json", TestName = "New_ListNotJson_IgnoredWithAWarningAndWrittenAnew")]
    [TestCase("""{"version": 99, "files": []}""", TestName = "New_ListOfAnotherVersion_IgnoredWithAWarningAndWrittenAnew")]
    [TestCase("""{"version": 1, "files": [{"path": "/m.gguf", "size": 1, "modified_at": "2025-01-01T00:00:00Z", "sha256": "short"}]}""", TestName = "New_ListWithABadEntry_IgnoredWithAWarningAndWrittenAnew")]
    public void New_CorruptList_IgnoredWithAWarningAndWrittenAnew(string content)
    {
        using var dir = new TempDirectory();
        var model = Model(dir, "m.gguf", fill: 3);
        var list = DigestCache.FileIn(dir.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(list)!);
        File.WriteAllText(list, content);
        var log = new RecordingLogger<DigestCache>();

        var cache = new DigestCache(list, log);
        var digest = cache.Of(model.FullName, model.Length, model.LastWriteTimeUtc);

        var saved = JsonDocument.Parse(File.ReadAllText(list)).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(log.Warnings, Has.Count.EqualTo(1));
            Assert.That(log.Warnings[0], Does.Contain(list));
            Assert.That(saved.GetProperty("files")[0].GetProperty("sha256").GetString(), Is.EqualTo(digest));
        });
    }

    [Test]
    public void Of_AnotherFileAfterOneWasDeleted_TheDeletedOneLeftOutOfTheList()
    {
        using var dir = new TempDirectory();
        var first = Model(dir, "a.gguf", fill: 1);
        var second = Model(dir, "b.gguf", fill: 2);
        var list = DigestCache.FileIn(dir.Path);
        var cache = new DigestCache(list, new RecordingLogger<DigestCache>());
        cache.Of(first.FullName, first.Length, first.LastWriteTimeUtc);

        first.Delete();
        cache.Of(second.FullName, second.Length, second.LastWriteTimeUtc);

        var paths = JsonDocument.Parse(File.ReadAllText(list)).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString());
        Assert.That(paths, Is.EqualTo(new[] { second.FullName }));
    }

    [Test]
    public void Known_NewFile_HashedInTheBackgroundAndSaved()
    {
        using var dir = new TempDirectory();
        var model = Model(dir, "m.gguf", fill: 4);
        var list = DigestCache.FileIn(dir.Path);
        var cache = new DigestCache(list, new RecordingLogger<DigestCache>());

        var first = cache.Known(model.FullName, model.Length, model.LastWriteTimeUtc);

        Assert.That(first, Is.Null);
        Assert.That(() => cache.Known(model.FullName, model.Length, model.LastWriteTimeUtc), Is.EqualTo(Sha256(4, model.Length)).After(5000, 20));
        Assert.That(() => new DigestCache(list, new RecordingLogger<DigestCache>()).Known(model.FullName, model.Length, model.LastWriteTimeUtc), Is.EqualTo(Sha256(4, model.Length)).After(5000, 20));
    }

    private static FileInfo Model(TempDirectory dir, string name, byte fill)
    {
        var path = dir.Combine(name);
        File.WriteAllBytes(path, Enumerable.Repeat(fill, 100_000).ToArray());
        return new FileInfo(path);
    }

    private static void Rewrite(FileInfo model, byte fill, DateTime? time = null)
    {
        var was = model.LastWriteTimeUtc;
        File.WriteAllBytes(model.FullName, Enumerable.Repeat(fill, (int)model.Length).ToArray());
        File.SetLastWriteTimeUtc(model.FullName, time ?? was);
    }

    private static string Sha256(byte fill, long length) => Convert.ToHexStringLower(SHA256.HashData(Enumerable.Repeat(fill, (int)length).ToArray()));
}
