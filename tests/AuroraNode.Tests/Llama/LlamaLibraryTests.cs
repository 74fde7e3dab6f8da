using System.Runtime.InteropServices;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Llama.Native;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Llama;

public sealed class LlamaLibraryTests
{
    [Test]
    public void Load_FetchedLibrary_IsTheBuildTheBindingsWereWrittenFor()
    {
        var info = LlamaTestLibrary.Load();

        Assert.Multiple(() =>
        {
            Assert.That(info.Version, Is.EqualTo("0.5.0-dev"), "llama_version()");
            Assert.That(info.Commit, Is.EqualTo("0ad4a86"), "LLAMA_COMMIT of libllama-common.so");
            Assert.That(info.Sha256, Is.EqualTo(LlamaBuild.LlamaSha256));
            Assert.That(info.SystemInfo, Does.Contain("CPU"));
        });
    }

    [Test]
    public void Verify_OtherBuild_FailsNamingBothHashes()
    {
        using var dir = new TempDirectory();
        var copy = dir.Combine(LlamaBuild.LlamaFile);
        File.Copy(Path.Combine(LlamaTestLibrary.Directory, LlamaBuild.LlamaFile), copy);
        using (var file = File.OpenWrite(copy))
        {
            file.Seek(0, SeekOrigin.End);
            file.WriteByte(0);
        }

        var e = Assert.Throws<LlamaException>(() => LlamaLibrary.Verify(dir.Path));

        Assert.That(e!.Message, Does.Contain(LlamaBuild.LlamaSha256).And.Contain("0ad4a86").And.Contain("fetch-llama.sh"));
    }

    [Test]
    public void Verify_EmptyFolder_SaysHowToFetchTheLibrary()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<LlamaException>(() => LlamaLibrary.Verify(dir.Path));

        Assert.That(e!.Message, Does.Contain("not found").And.Contain("packaging/fetch-llama.sh").And.Contain("library_dir"));
    }

    // Sizes and offsets of llama.h at 0ad4a86 on x86-64 (LP64: pointers 8, enums 4, bools 1).
    [TestCase(typeof(LlamaModelParams), 80)]
    [TestCase(typeof(LlamaContextParams), 160)]
    [TestCase(typeof(LlamaBatch), 56)]
    [TestCase(typeof(LlamaSamplerChainParams), 1)]
    [TestCase(typeof(LlamaChatMessage), 16)]
    public void Struct_Size_MatchesLlamaH(Type type, int size) => Assert.That(Marshal.SizeOf(type), Is.EqualTo(size));

    [TestCase(typeof(LlamaModelParams), nameof(LlamaModelParams.NGpuLayers), 16)]
    [TestCase(typeof(LlamaModelParams), nameof(LlamaModelParams.LoadMode), 24)]
    [TestCase(typeof(LlamaModelParams), nameof(LlamaModelParams.MainGpu), 32)]
    [TestCase(typeof(LlamaModelParams), nameof(LlamaModelParams.TensorSplit), 40)]
    [TestCase(typeof(LlamaModelParams), nameof(LlamaModelParams.VocabOnly), 72)]
    [TestCase(typeof(LlamaModelParams), nameof(LlamaModelParams.LoadMtp), 77)]
    [TestCase(typeof(LlamaContextParams), nameof(LlamaContextParams.NThreads), 28)]
    [TestCase(typeof(LlamaContextParams), nameof(LlamaContextParams.RopeFreqBase), 56)]
    [TestCase(typeof(LlamaContextParams), nameof(LlamaContextParams.CbEval), 88)]
    [TestCase(typeof(LlamaContextParams), nameof(LlamaContextParams.AbortCallback), 112)]
    [TestCase(typeof(LlamaContextParams), nameof(LlamaContextParams.Embeddings), 128)]
    [TestCase(typeof(LlamaContextParams), nameof(LlamaContextParams.Samplers), 136)]
    [TestCase(typeof(LlamaContextParams), nameof(LlamaContextParams.CtxOther), 152)]
    [TestCase(typeof(LlamaBatch), nameof(LlamaBatch.Logits), 48)]
    public void Struct_FieldOffset_MatchesLlamaH(Type type, string field, int offset) =>
        Assert.That((int)Marshal.OffsetOf(type, field), Is.EqualTo(offset));

    // The library's own defaults, read through our structs: a shifted field would show up as a wrong value here.
    [Test]
    public void ModelDefaultParams_ReadThroughTheStruct_AreTheLibraryDefaults()
    {
        LlamaTestLibrary.Load();

        var p = LlamaNative.llama_model_default_params();

        Assert.Multiple(() =>
        {
            Assert.That(p.Devices, Is.EqualTo(nint.Zero));
            Assert.That(p.NGpuLayers, Is.EqualTo(-1));
            Assert.That(p.SplitMode, Is.EqualTo(1), "LLAMA_SPLIT_MODE_LAYER");
            Assert.That(p.LoadMode, Is.EqualTo(-1), "LLAMA_LOAD_MODE_AUTO");
            Assert.That(p.LazyMode, Is.EqualTo(1), "LLAMA_LAZY_MODE_AUTO");
            Assert.That(p.MainGpu, Is.Zero);
            Assert.That(p.TensorSplit, Is.EqualTo(nint.Zero));
            Assert.That(p.KvOverrides, Is.EqualTo(nint.Zero));
            Assert.That(new[] { p.VocabOnly, p.CheckTensors, p.UseExtraBufts, p.NoHost, p.NoAlloc, p.LoadMtp }, Is.EqualTo(new byte[] { 0, 0, 1, 0, 0, 0 }));
        });
    }

    [Test]
    public void ContextDefaultParams_ReadThroughTheStruct_AreTheLibraryDefaults()
    {
        LlamaTestLibrary.Load();

        var p = LlamaNative.llama_context_default_params();

        Assert.Multiple(() =>
        {
            Assert.That(new[] { p.NCtx, p.NBatch, p.NUbatch, p.NSeqMax, p.NRsSeq, p.NOutputsMax, p.NOutputsMaxPerSeq }, Is.EqualTo(new uint[] { 512, 2048, 512, 1, 0, 0, 1 }));
            Assert.That(new[] { p.NThreads, p.NThreadsBatch, p.CtxType }, Is.EqualTo(new[] { 4, 4, 0 }));
            Assert.That(new[] { p.RopeScalingType, p.PoolingType, p.AttentionType, p.FlashAttnType }, Is.EqualTo(new[] { -1, -1, -1, -1 }));
            Assert.That(new[] { p.RopeFreqBase, p.RopeFreqScale, p.YarnExtFactor, p.YarnAttnFactor, p.YarnBetaFast, p.YarnBetaSlow, p.DefragThold }, Is.EqualTo(new[] { 0f, 0f, -1f, -1f, -1f, -1f, -1f }));
            Assert.That(p.YarnOrigCtx, Is.Zero);
            Assert.That(new[] { p.TypeK, p.TypeV }, Is.EqualTo(new[] { 1, 1 }), "GGML_TYPE_F16");
            Assert.That(new[] { p.CbEval, p.AbortCallback, p.Samplers, p.CtxOther }, Is.All.EqualTo(nint.Zero));
            Assert.That(new[] { p.Embeddings, p.OffloadKqv, p.NoPerf, p.OpOffload, p.SwaFull, p.KvUnified }, Is.EqualTo(new byte[] { 0, 1, 1, 1, 1, 0 }));
        });
    }

    [Test]
    public unsafe void BatchGetOne_ReadThroughTheStruct_PointsAtOurTokens()
    {
        LlamaTestLibrary.Load();
        var tokens = stackalloc int[] { 1, 2, 3 };

        var batch = LlamaNative.llama_batch_get_one(tokens, 3);

        Assert.Multiple(() =>
        {
            Assert.That(batch.NTokens, Is.EqualTo(3));
            Assert.That((nint)batch.Token, Is.EqualTo((nint)tokens));
            Assert.That(new[] { (nint)batch.Embd, (nint)batch.Pos, (nint)batch.NSeqId, (nint)batch.SeqId, (nint)batch.Logits }, Is.All.EqualTo(nint.Zero));
        });
    }

    [Test]
    public unsafe void BatchInit_Tokens_AllocatesEveryArrayButEmbeddings()
    {
        LlamaTestLibrary.Load();

        var batch = LlamaNative.llama_batch_init(8, 0, 1);
        try
        {
            Assert.Multiple(() =>
            {
                Assert.That(batch.NTokens, Is.Zero);
                Assert.That((nint)batch.Embd, Is.EqualTo(nint.Zero));
                Assert.That(new[] { (nint)batch.Token, (nint)batch.Pos, (nint)batch.NSeqId, (nint)batch.SeqId, (nint)batch.Logits }, Is.All.Not.EqualTo(nint.Zero));
            });
        }
        finally
        {
            LlamaNative.llama_batch_free(batch);
        }
    }
}
