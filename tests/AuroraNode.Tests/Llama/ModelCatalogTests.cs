using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Models;
using AuroraNode.Tests.TestKit;
using Microsoft.Extensions.Configuration;

namespace AuroraNode.Tests.Llama;

public sealed class ModelCatalogTests
{
    [Test]
    public void List_Folder_NamesEachGgufByItsFileName()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("tiny.gguf"), "1");
        File.WriteAllText(dir.Combine("Llama-3.2-1B.Q4_K_M.gguf"), "22");
        File.WriteAllText(dir.Combine("notes.txt"), "");
        Directory.CreateDirectory(dir.Combine("sub"));
        File.WriteAllText(dir.Combine("sub", "nested.gguf"), "");

        var models = new ModelCatalog(dir.Path).List();

        Assert.Multiple(() =>
        {
            Assert.That(models.Select(m => m.Name), Is.EqualTo(new[] { "Llama-3.2-1B.Q4_K_M", "tiny" }));
            Assert.That(models.Select(m => m.SizeBytes), Is.EqualTo(new long[] { 2, 1 }));
            Assert.That(models[1].Path, Is.EqualTo(dir.Combine("tiny.gguf")));
        });
    }

    [Test]
    public void List_MissingFolder_IsEmpty() => Assert.That(new ModelCatalog("/nonexistent/models").List(), Is.Empty);

    [TestCase("tiny", true)]
    [TestCase("tiny:latest", true)]
    [TestCase("tiny:7b", false)]
    [TestCase("Tiny", false)]
    [TestCase("other", false)]
    public void Find_Name_MatchesWithOrWithoutLatest(string name, bool found)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("tiny.gguf"), "");

        Assert.That(new ModelCatalog(dir.Path).Find(name) is not null, Is.EqualTo(found));
    }

    [Test]
    public void List_TinyModelWritten_IsLoadableByItsName()
    {
        using var dir = new TempDirectory();
        TinyGguf.Write(dir.Combine("tiny.gguf"));

        var model = new ModelCatalog(dir.Path).Find("tiny");
        using var loaded = LlamaModel.Load(model!.Path);

        Assert.That(loaded.VocabSize, Is.EqualTo(TinyGguf.Vocabulary.Count));
    }

    [Test]
    public void LlamaOptions_Unset_LibraryInTheFetchScriptsFolderAndModelsUnderTheDataDir()
    {
        var options = LlamaOptions.Read(Router(new Dictionary<string, string?>()), Node("/var/lib/aurora"));

        Assert.Multiple(() =>
        {
            Assert.That(options.LibraryDir, Is.EqualTo(Path.GetFullPath(LlamaTestLibrary.Directory)));
            Assert.That(options.ModelsDir, Is.EqualTo("/var/lib/aurora/models"));
        });
    }

    [Test]
    public void LlamaOptions_Set_AreReadRelativeToTheDataDir()
    {
        var options = LlamaOptions.Read(
            Router(new() { ["modules:router:llama:library_dir"] = "/opt/llama", ["modules:router:models_dir"] = "my-models" }),
            Node("/var/lib/aurora"));

        Assert.Multiple(() =>
        {
            Assert.That(options.LibraryDir, Is.EqualTo("/opt/llama"));
            Assert.That(options.ModelsDir, Is.EqualTo("/var/lib/aurora/my-models"));
        });
    }

    private static ConfigReader Router(Dictionary<string, string?> values) =>
        new ConfigReport(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), null, new Dictionary<string, int>())
            .Section("modules:router");

    private static AuroraNode.Modules.NodeContext Node(string dataDir) =>
        new("n1", new HashSet<AuroraNode.Modules.NodeRole>(), dataDir, "127.0.0.1", "0.1.0", 8700, null);
}
