using System.Diagnostics;
using System.Text;
using AuroraNode.Modules.Router.Models;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Llama;

/// <summary>The GGUF header reader: what it finds in the files the tests write, and how it refuses bad ones.</summary>
public sealed class GgufHeaderTests
{
    // general.file_type, general.parameter_count → Ollama's family, parameter_size, quantization_level
    [TestCase(null, null, "llama", "130K", "F32", TestName = "Of_NoFileTypeNorCount_CountedFromTensorsAndGuessedFromTheirType")]
    [TestCase(15u, null, "llama", "130K", "Q4_K_M", TestName = "Of_FileTypeQ4KM_NamedLikeOllama")]
    [TestCase(7u, 1_235_814_400ul, "llama", "1.2B", "Q8_0", TestName = "Of_DeclaredParameterCount_WinsOverTheTensors")]
    [TestCase(1u, 134_515_008ul, "llama", "134.52M", "F16", TestName = "Of_MillionsOfParameters_TwoDecimals")]
    [TestCase(999u, null, "llama", "130K", "unknown", TestName = "Of_UnknownFileType_Unknown")]
    public void Of_Table(uint? fileType, ulong? parameterCount, string family, string parameterSize, string quantization)
    {
        using var dir = new TempDirectory();
        var path = TinyGguf.Write(dir.Combine("m.gguf"), fileType: fileType, parameterCount: parameterCount);
        var log = new RecordingLogger<ModelDetailsCache>();

        var details = Details(new ModelDetailsCache(log), path);

        Assert.That(details, Is.EqualTo(new ModelDetails(family, parameterSize, quantization)));
        Assert.That(log.Warnings, Is.Empty);
    }

    [TestCase(8_000_000_000ul, "8B")]
    [TestCase(8_030_261_248ul, "8.0B")]
    [TestCase(1_235_814_400ul, "1.2B")]
    [TestCase(134_515_008ul, "134.52M")]
    [TestCase(7_000_000ul, "7M")]
    [TestCase(130_240ul, "130K")]
    [TestCase(999ul, "999")]
    public void ParameterSizeOf_Count_WrittenAsOllamaWritesIt(ulong count, string expected) =>
        Assert.That(ModelDetails.ParameterSizeOf(count), Is.EqualTo(expected));

    [Test]
    public void Read_TinyModel_EveryTensorCounted()
    {
        using var dir = new TempDirectory();
        using var file = File.OpenRead(TinyGguf.Write(dir.Combine("tiny.gguf")));

        var gguf = GgufHeader.Read(file);

        Assert.That(gguf, Is.EqualTo(new GgufSummary("llama", null, TinyGguf.ParameterCount(), 0)));
    }

    [Test]
    public void Read_HeaderLargerThanItsBuffer_ArraysAndALongKeySkipped()
    {
        // 200,000 tokens (about 3 MB) and a 65,535-byte key: reads and skips across many buffer refills.
        const int Tokens = 200_000;
        var bytes = Gguf(3, tensors: 2, pairs: 5, w =>
        {
            Pair(w, "tokenizer.ggml.tokens", 9, () =>
            {
                w.Write(8u);
                w.Write((ulong)Tokens);
                for (var i = 0; i < Tokens; i++)
                {
                    Str(w, $"token-{i}");
                }
            });
            Pair(w, "tokenizer.ggml.scores", 9, () =>
            {
                w.Write(6u);
                w.Write((ulong)Tokens);
                w.Write(new byte[Tokens * 4]);
            });
            Pair(w, new string('k', 65_535), 4, () => w.Write(1u));
            Pair(w, "general.architecture", 8, () => Str(w, "qwen3"));
            Pair(w, "general.file_type", 4, () => w.Write(15u));
            Tensor(w, "token_embd.weight", 12, 1024, Tokens);
            Tensor(w, "output_norm.weight", 0, 1024);
        });
        using var stream = new MemoryStream(bytes);

        var started = Stopwatch.StartNew();
        var gguf = GgufHeader.Read(stream);
        TestContext.Progress.WriteLine($"GGUF header of {bytes.Length / 1024} KB ({Tokens} tokens) read in {started.Elapsed.TotalMilliseconds:F1} ms");

        Assert.That(gguf, Is.EqualTo(new GgufSummary("qwen3", 15, (1024ul * Tokens) + 1024, 12)));
    }

    [Test]
    public void Read_CutInsideTheHeader_InvalidData()
    {
        using var dir = new TempDirectory();
        var whole = File.ReadAllBytes(TinyGguf.Write(dir.Combine("tiny.gguf")));
        var lastTensor = Offset(whole, "blk.1.ffn_down.weight");
        var cuts = new[] { 0, 3, 4, 7, 12, 20, 30, Offset(whole, "<0x41>"), Offset(whole, "tokenizer.ggml.scores") + 30, Offset(whole, "token_embd.weight") + 4, lastTensor + 21 + 8 + 4 + 8 };

        Assert.Multiple(() =>
        {
            foreach (var cut in cuts)
            {
                using var stream = new MemoryStream(whole[..cut]);
                Assert.That(() => GgufHeader.Read(stream), Throws.InstanceOf<InvalidDataException>(), $"cut at {cut} of {whole.Length}");
            }
        });
    }

    [Test]
    public void Read_CutInsideTheTensorData_TheHeaderIsStillRead()
    {
        using var dir = new TempDirectory();
        var whole = File.ReadAllBytes(TinyGguf.Write(dir.Combine("tiny.gguf")));
        using var stream = new MemoryStream(whole[..(whole.Length / 2)]);

        Assert.That(GgufHeader.Read(stream).Architecture, Is.EqualTo("llama"));
    }

    private static IEnumerable<TestCaseData> BadFiles()
    {
        var random = new byte[4096];
        new Random(7).NextBytes(random);
        yield return new TestCaseData(Array.Empty<byte>(), "GGUF magic").SetName("Read_Empty_NoMagic");
        yield return new TestCaseData(random, "GGUF magic").SetName("Read_RandomBytes_NoMagic");
        yield return new TestCaseData(Gguf(1, 0, 0, _ => { }), "version 1").SetName("Read_Version1_Refused");
        yield return new TestCaseData(Gguf(4, 0, 0, _ => { }), "version 4").SetName("Read_Version4_Refused");
        yield return new TestCaseData(Gguf(3, ulong.MaxValue, 0, _ => { }), "claims").SetName("Read_HugeTensorCount_Refused");
        yield return new TestCaseData(Gguf(3, 0, 1ul << 40, _ => { }), "claims").SetName("Read_HugePairCount_Refused");
        yield return new TestCaseData(Gguf(3, 0, 1, w => { w.Write(70_000ul); w.Write(new byte[70_020]); }), "more than GGUF's 65535").SetName("Read_KeyTooLong_Refused");
        yield return new TestCaseData(Gguf(3, 0, 1, w => { w.Write(1ul << 50); w.Write(new byte[20]); }), "truncated").SetName("Read_KeyLengthPastTheEnd_Truncated");
        yield return new TestCaseData(Gguf(3, 0, 1, w => Pair(w, "a", 13, () => w.Write(0ul))), "unknown type 13").SetName("Read_UnknownValueType_Refused");
        yield return new TestCaseData(Gguf(3, 0, 1, w => Pair(w, "a", 9, () => { w.Write(8u); w.Write(1ul << 40); w.Write(0ul); })), "claims").SetName("Read_StringArrayPastTheEnd_Refused");
        yield return new TestCaseData(Gguf(3, 0, 1, w => Pair(w, "a", 9, () => { w.Write(4u); w.Write(ulong.MaxValue / 2); w.Write(0ul); })), "claims").SetName("Read_HugeNumberArray_Refused");
        yield return new TestCaseData(Gguf(3, 0, 1, w => Pair(w, "a", 9, () =>
        {
            for (var i = 0; i < 10; i++)
            {
                w.Write(9u);
                w.Write(1ul);
            }

            w.Write(new byte[64]);
        })), "nests arrays").SetName("Read_ArraysNestedTooDeep_Refused");
        yield return new TestCaseData(Gguf(3, 1, 0, w => Tensor(w, "t", 0, 1, 1, 1, 1, 1)), "5 dimensions").SetName("Read_FiveDimensions_Refused");
        yield return new TestCaseData(Gguf(3, 1, 0, w => Tensor(w, "t", 0, ulong.MaxValue / 2, 3)), "overflow").SetName("Read_DimensionsOverflow_Refused");
    }

    [TestCaseSource(nameof(BadFiles))]
    public void Read_BadFile_InvalidDataSayingWhat(byte[] bytes, string problem)
    {
        using var stream = new MemoryStream(bytes);

        Assert.That(() => GgufHeader.Read(stream), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(problem));
    }

    [Test]
    public void Of_BadFile_NoDetailsAndOneWarningPerVersion()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("broken.gguf");
        File.WriteAllBytes(path, Gguf(3, 0, 1, w => Pair(w, "a", 13, () => w.Write(0ul))));
        var log = new RecordingLogger<ModelDetailsCache>();
        var cache = new ModelDetailsCache(log);

        var first = Details(cache, path);
        var second = Details(cache, path);

        Assert.Multiple(() =>
        {
            Assert.That((first, second), Is.EqualTo(((ModelDetails?)null, (ModelDetails?)null)));
            Assert.That(log.Warnings, Has.Count.EqualTo(1));
            Assert.That(log.Warnings[0], Does.Contain(path).And.Contain("unknown type 13"));
        });
    }

    [Test]
    public void Of_MissingFile_NoDetailsAndAWarning()
    {
        var log = new RecordingLogger<ModelDetailsCache>();

        var details = new ModelDetailsCache(log).Of("/nonexistent/m.gguf", 10, DateTimeOffset.UnixEpoch);

        Assert.That((details, log.Warnings.Count), Is.EqualTo(((ModelDetails?)null, 1)));
    }

    [Test]
    public void Of_FileRewrittenWithTheSameSizeAndTime_HeaderNotReadAgainUntilTheTimeChanges()
    {
        using var dir = new TempDirectory();
        var path = TinyGguf.Write(dir.Combine("m.gguf"), fileType: 15);
        var time = File.GetLastWriteTimeUtc(path);
        var cache = new ModelDetailsCache(new RecordingLogger<ModelDetailsCache>());
        var before = Details(cache, path);

        TinyGguf.Write(path, fileType: 7);
        File.SetLastWriteTimeUtc(path, time);
        var sameVersion = Details(cache, path);
        File.SetLastWriteTimeUtc(path, time.AddSeconds(1));
        var newVersion = Details(cache, path);

        Assert.That((before?.QuantizationLevel, sameVersion?.QuantizationLevel, newVersion?.QuantizationLevel), Is.EqualTo(("Q4_K_M", "Q4_K_M", "Q8_0")));
    }

    private static ModelDetails? Details(ModelDetailsCache cache, string path)
    {
        var file = new FileInfo(path);
        return cache.Of(file.FullName, file.Length, file.LastWriteTimeUtc);
    }

    private static int Offset(byte[] bytes, string text) => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));

    // A GGUF file: magic, version, the counts, then whatever the test writes (no more than it writes).
    private static byte[] Gguf(uint version, ulong tensors, ulong pairs, Action<BinaryWriter> rest)
    {
        using var memory = new MemoryStream();
        using (var w = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            w.Write("GGUF"u8);
            w.Write(version);
            w.Write(tensors);
            w.Write(pairs);
            rest(w);
        }

        return memory.ToArray();
    }

    private static void Pair(BinaryWriter w, string key, uint type, Action value)
    {
        Str(w, key);
        w.Write(type);
        value();
    }

    private static void Tensor(BinaryWriter w, string name, uint type, params ulong[] dimensions)
    {
        Str(w, name);
        w.Write((uint)dimensions.Length);
        foreach (var d in dimensions)
        {
            w.Write(d);
        }

        w.Write(type);
        w.Write(0ul);
    }

    private static void Str(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
