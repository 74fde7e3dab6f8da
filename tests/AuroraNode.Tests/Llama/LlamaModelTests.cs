using AuroraNode.Modules.Router.Llama;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Llama;

public sealed class LlamaModelTests
{
    [Test]
    public void Load_TinyModel_DescribesIt()
    {
        var model = TinyModel.Model;
        var vocab = TinyGguf.Vocabulary.Count;
        const int e = TinyGguf.Embedding;
        const int ff = TinyGguf.FeedForward;
        var perLayer = (2 * e) + (4 * e * e) + (3 * e * ff);
        var expected = (ulong)((2 * vocab * e) + e + (TinyGguf.Layers * perLayer));

        Assert.Multiple(() =>
        {
            Assert.That(model.Description, Does.StartWith("llama"));
            Assert.That(model.ParameterCount, Is.EqualTo(expected));
            Assert.That(model.SizeBytes, Is.EqualTo(expected * sizeof(float)));
            Assert.That(model.VocabSize, Is.EqualTo(vocab));
            Assert.That(model.TrainContextLength, Is.EqualTo(TinyGguf.ContextLength));
            Assert.That(model.Bos, Is.EqualTo(TinyGguf.Bos));
            Assert.That(model.Eos, Is.EqualTo(TinyGguf.Eos));
            Assert.That(model.IsEndOfGeneration(TinyGguf.Eos), Is.True);
            Assert.That(model.IsEndOfGeneration(300), Is.False);
        });
    }

    [Test]
    public void Load_MissingFile_SaysWhichFile()
    {
        var e = Assert.Throws<LlamaException>(() => LlamaModel.Load("/nonexistent/model.gguf"));

        Assert.That(e!.Message, Does.Contain("/nonexistent/model.gguf"));
    }

    [Test]
    public void Load_NotAGguf_FailsWithLlamaCppsReason()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("junk.gguf");
        File.WriteAllText(path, "this is not a model");

        var e = Assert.Throws<LlamaException>(() => LlamaModel.Load(path));

        Assert.That(e!.Message, Does.Contain(path).And.Not.EndWith("no reason given"));
    }

    [TestCase("Hello world")]
    [TestCase("Hello, the world! 1 + 2 = 3; {json: \"yes\"} ~ end.")]
    [TestCase("  two  spaces and a tab\tand a newline\n")]
    public void Tokenize_AsciiText_RoundTrips(string text)
    {
        var model = TinyModel.Model;

        var tokens = model.Tokenize(text);

        Assert.Multiple(() =>
        {
            Assert.That(tokens[0], Is.EqualTo(TinyGguf.Bos));
            Assert.That(model.Detokenize(tokens), Is.EqualTo(text));
        });
    }

    [Test]
    public void Tokenize_KnownWords_UseTheMerges()
    {
        var model = TinyModel.Model;

        var tokens = model.Tokenize("Hello world", addSpecial: false);

        Assert.That(tokens.Select(t => TinyGguf.Vocabulary[t]), Is.EqualTo(new[] { "▁Hello", "▁world" }));
    }

    [Test]
    public void TokenToPiece_MergedToken_IsItsText() =>
        Assert.That(TinyModel.Model.TokenToPiece(TinyGguf.Vocabulary.ToList().IndexOf("▁world")), Is.EqualTo(" world"u8.ToArray()));

    [Test]
    public void Dispose_ContextStillOpen_KeepsTheWeightsForIt()
    {
        var model = LlamaModel.Load(TinyModel.Path);
        using var context = model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var prompt = model.Tokenize("Hello world");

        model.Dispose();

        Assert.Multiple(() =>
        {
            Assert.DoesNotThrow(() => context.Decode(prompt));
            Assert.Throws<ObjectDisposedException>(() => model.Tokenize("Hello"));
            Assert.Throws<ObjectDisposedException>(() => model.CreateContext());
        });
    }
}
