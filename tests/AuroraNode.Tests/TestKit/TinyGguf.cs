using System.Runtime.InteropServices;
using System.Text;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// Writes a tiny llama-architecture GGUF (about 400 KB) with random weights from a seed: a SentencePiece-style
/// vocabulary (specials, the 256 byte tokens, "▁", printable ASCII and a few merges), n_embd 64, 2 layers,
/// 4 heads, n_ff 128, context 256, all F32. The output row of the end token is zero, so greedy decoding never
/// picks it and always runs to the token limit. GGUF v3 as in ggml's docs/gguf.md. Another <see cref="Shape"/>
/// writes a larger model of the same kind (the inference benchmark's, which links this file).
/// </summary>
public static class TinyGguf
{
    public const int Embedding = 64;
    public const int Layers = 2;
    public const int Heads = 4;
    public const int FeedForward = 128;
    public const int ContextLength = 256;
    public const int Bos = 1;
    public const int Eos = 2;

    private const uint Alignment = 32;
    private const uint TypeF32 = 0;

    private static readonly string[] Merges =
        ["▁t", "he", "▁the", "in", "er", "an", "▁a", "on", "re", "▁s", "ll", "lo", "▁w", "or", "ld", "▁wor", "▁world", "He", "llo", "Hello", "▁Hello"];

    /// <summary>The model's dimensions; <see cref="Tiny"/> is the one the constants above describe.</summary>
    public sealed record Shape(int Embedding, int Layers, int Heads, int FeedForward, int ContextLength);

    public static Shape Tiny { get; } = new(Embedding, Layers, Heads, FeedForward, ContextLength);

    /// <summary>The tokens, in id order.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = BuildVocabulary();

    /// <summary>
    /// Writes the model to <paramref name="path"/>. <paramref name="fileType"/> and <paramref name="parameterCount"/>
    /// add general.file_type (a llama_ftype) and general.parameter_count, which llama.cpp's converters write.
    /// </summary>
    public static string Write(string path, int seed = 1234, Shape? shape = null, uint? fileType = null, ulong? parameterCount = null)
    {
        shape ??= Tiny;
        var (e, layers, ff) = (shape.Embedding, shape.Layers, shape.FeedForward);
        var random = new Random(seed);
        var vocab = Vocabulary.Count;
        var tensors = new List<(string Name, long[] Shape, float[] Data)>
        {
            ("token_embd.weight", [e, vocab], RandomRows(random, vocab, e, 1.0f)),
            ("output_norm.weight", [e], Ones(e)),
            ("output.weight", [e, vocab], OutputRows(random, vocab, e)),
        };
        for (var i = 0; i < layers; i++)
        {
            var attention = 1.0f / MathF.Sqrt(e);
            tensors.Add(($"blk.{i}.attn_norm.weight", [e], Ones(e)));
            tensors.Add(($"blk.{i}.attn_q.weight", [e, e], RandomRows(random, e, e, attention)));
            tensors.Add(($"blk.{i}.attn_k.weight", [e, e], RandomRows(random, e, e, attention)));
            tensors.Add(($"blk.{i}.attn_v.weight", [e, e], RandomRows(random, e, e, attention)));
            tensors.Add(($"blk.{i}.attn_output.weight", [e, e], RandomRows(random, e, e, attention)));
            tensors.Add(($"blk.{i}.ffn_norm.weight", [e], Ones(e)));
            tensors.Add(($"blk.{i}.ffn_gate.weight", [e, ff], RandomRows(random, ff, e, attention)));
            tensors.Add(($"blk.{i}.ffn_up.weight", [e, ff], RandomRows(random, ff, e, attention)));
            tensors.Add(($"blk.{i}.ffn_down.weight", [ff, e], RandomRows(random, e, ff, 1.0f / MathF.Sqrt(ff))));
        }

        using var file = File.Create(path);
        using var w = new BinaryWriter(file, Encoding.UTF8);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        var metadata = Metadata(shape);
        if (fileType is { } type)
        {
            metadata.Add(Kv("general.file_type", type));
        }

        if (parameterCount is { } count)
        {
            metadata.Add(w =>
            {
                WriteString(w, "general.parameter_count");
                w.Write(10u); // uint64
                w.Write(count);
            });
        }

        w.Write((ulong)metadata.Count);
        foreach (var write in metadata)
        {
            write(w);
        }

        ulong offset = 0;
        foreach (var (name, sizes, data) in tensors)
        {
            WriteString(w, name);
            w.Write((uint)sizes.Length);
            foreach (var d in sizes)
            {
                w.Write((ulong)d);
            }

            w.Write(TypeF32);
            w.Write(offset);
            offset = Align((ulong)data.Length * sizeof(float) + offset);
        }

        Pad(w);
        foreach (var (_, _, data) in tensors)
        {
            w.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            Pad(w);
        }

        return path;
    }

    /// <summary>The number of weights the model of <paramref name="shape"/> has: every element of every tensor <see cref="Write"/> writes.</summary>
    public static ulong ParameterCount(Shape? shape = null)
    {
        shape ??= Tiny;
        var (e, ff) = ((ulong)shape.Embedding, (ulong)shape.FeedForward);
        var perLayer = (2 * e) + (4 * e * e) + (3 * e * ff);
        return (2 * e * (ulong)Vocabulary.Count) + e + ((ulong)shape.Layers * perLayer);
    }

    private static List<Action<BinaryWriter>> Metadata(Shape shape)
    {
        var vocab = Vocabulary;
        return
        [
            Kv("general.architecture", "llama"),
            Kv("general.name", "aurora-tiny"),
            Kv("general.alignment", Alignment),
            Kv("llama.context_length", (uint)shape.ContextLength),
            Kv("llama.embedding_length", (uint)shape.Embedding),
            Kv("llama.block_count", (uint)shape.Layers),
            Kv("llama.feed_forward_length", (uint)shape.FeedForward),
            Kv("llama.attention.head_count", (uint)shape.Heads),
            Kv("llama.attention.head_count_kv", (uint)shape.Heads),
            Kv("llama.attention.layer_norm_rms_epsilon", 1e-5f),
            Kv("llama.rope.dimension_count", (uint)(shape.Embedding / shape.Heads)),
            Kv("llama.rope.freq_base", 10000f),
            Kv("llama.vocab_size", (uint)vocab.Count),
            Kv("tokenizer.ggml.model", "llama"),
            w =>
            {
                WriteString(w, "tokenizer.ggml.tokens");
                w.Write(9u); // array
                w.Write(8u); // of strings
                w.Write((ulong)vocab.Count);
                foreach (var t in vocab)
                {
                    WriteString(w, t);
                }
            },
            w =>
            {
                WriteString(w, "tokenizer.ggml.scores");
                w.Write(9u);
                w.Write(6u); // of float32
                w.Write((ulong)vocab.Count);
                for (var i = 0; i < vocab.Count; i++)
                {
                    w.Write(Score(i));
                }
            },
            w =>
            {
                WriteString(w, "tokenizer.ggml.token_type");
                w.Write(9u);
                w.Write(5u); // of int32
                w.Write((ulong)vocab.Count);
                for (var i = 0; i < vocab.Count; i++)
                {
                    w.Write(TokenType(i));
                }
            },
            Kv("tokenizer.ggml.bos_token_id", (uint)Bos),
            Kv("tokenizer.ggml.eos_token_id", (uint)Eos),
            Kv("tokenizer.ggml.unknown_token_id", 0u),
            Kv("tokenizer.ggml.add_bos_token", true),
            Kv("tokenizer.ggml.add_eos_token", false),
        ];
    }

    private static List<string> BuildVocabulary()
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
        }

        tokens.Add("▁");
        for (var c = '!'; c <= '~'; c++)
        {
            tokens.Add(c.ToString());
        }

        tokens.AddRange(Merges);
        return tokens;
    }

    // SentencePiece merges the pair whose result scores highest: merges score above single characters, earlier ones first.
    private static float Score(int id) => id < 259 ? 0f : id < 259 + 95 ? -1000f : -(id - 259 - 95);

    // llama_token_type: 1 normal, 2 unknown, 3 control, 6 byte.
    private static int TokenType(int id) => id switch
    {
        0 => 2,
        1 or 2 => 3,
        < 259 => 6,
        _ => 1,
    };

    private static float[] RandomRows(Random random, int rows, int columns, float scale)
    {
        var data = new float[rows * columns];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return data;
    }

    private static float[] OutputRows(Random random, int vocab, int embedding)
    {
        var data = RandomRows(random, vocab, embedding, 1.0f);
        foreach (var silent in new[] { 0, Bos, Eos })
        {
            Array.Clear(data, silent * embedding, embedding);
        }

        return data;
    }

    private static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();

    private static Action<BinaryWriter> Kv(string key, string value) => w =>
    {
        WriteString(w, key);
        w.Write(8u);
        WriteString(w, value);
    };

    private static Action<BinaryWriter> Kv(string key, uint value) => w =>
    {
        WriteString(w, key);
        w.Write(4u);
        w.Write(value);
    };

    private static Action<BinaryWriter> Kv(string key, float value) => w =>
    {
        WriteString(w, key);
        w.Write(6u);
        w.Write(value);
    };

    private static Action<BinaryWriter> Kv(string key, bool value) => w =>
    {
        WriteString(w, key);
        w.Write(7u);
        w.Write(value ? (byte)1 : (byte)0);
    };

    private static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static ulong Align(ulong n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        var position = (ulong)w.BaseStream.Position;
        for (var i = position; i < Align(position); i++)
        {
            w.Write((byte)0);
        }
    }
}
