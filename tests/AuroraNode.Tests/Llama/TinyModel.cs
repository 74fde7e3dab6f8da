using AuroraNode.Modules.Router.Llama;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Llama;

/// <summary>Loads llama.cpp and writes the tiny model once for every test in this folder.</summary>
[SetUpFixture]
public sealed class TinyModel
{
    private static TempDirectory? folder;
    private static LlamaModel? model;

    public static string Path { get; private set; } = "";

    internal static LlamaModel Model => model ?? throw new InvalidOperationException("the set-up fixture has not run");

    [OneTimeSetUp]
    public void SetUp()
    {
        LlamaTestLibrary.Load();
        folder = new TempDirectory();
        Path = TinyGguf.Write(folder.Combine("tiny.gguf"));
        model = LlamaModel.Load(Path);
        TestContext.Progress.WriteLine($"tiny model: {new FileInfo(Path).Length / 1024} KB, loaded in {model.LoadTime.TotalMilliseconds:F1} ms");
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        model?.Dispose();
        folder?.Dispose();
    }
}
