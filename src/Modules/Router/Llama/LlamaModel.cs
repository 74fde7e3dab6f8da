using System.Diagnostics;
using System.Text;
using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// A GGUF model loaded by llama.cpp: its weights and vocabulary, shared by every <see cref="LlamaContext"/>
/// created from it. Tokenizing is thread-safe; disposing while contexts live keeps the weights until the last one goes.
/// </summary>
internal sealed unsafe class LlamaModel : IDisposable
{
    private readonly LlamaModelHandle handle;
    private readonly nint vocab;
    private bool disposed;

    private LlamaModel(string path, LlamaModelHandle handle, TimeSpan loadTime)
    {
        Path = path;
        this.handle = handle;
        LoadTime = loadTime;
        vocab = LlamaNative.llama_model_get_vocab(handle.DangerousGetHandle());
        Description = ReadDescription(handle.DangerousGetHandle());
        ParameterCount = LlamaNative.llama_model_n_params(handle.DangerousGetHandle());
        SizeBytes = LlamaNative.llama_model_size(handle.DangerousGetHandle());
        TrainContextLength = LlamaNative.llama_model_n_ctx_train(handle.DangerousGetHandle());
        VocabSize = LlamaNative.llama_vocab_n_tokens(vocab);
        Bos = LlamaNative.llama_vocab_bos(vocab);
        Eos = LlamaNative.llama_vocab_eos(vocab);
        ChatTemplate = LlamaLibrary.Utf8(LlamaNative.llama_model_chat_template(handle.DangerousGetHandle(), null)) is { Length: > 0 } t ? t : null;
    }

    public string Path { get; }

    public TimeSpan LoadTime { get; }

    /// <summary>llama.cpp's one-line description, e.g. "llama ?B all F32".</summary>
    public string Description { get; }

    public ulong ParameterCount { get; }

    public ulong SizeBytes { get; }

    public int TrainContextLength { get; }

    public int VocabSize { get; }

    public int Bos { get; }

    public int Eos { get; }

    /// <summary>The Jinja chat template the GGUF carries (tokenizer.chat_template), or null.</summary>
    public string? ChatTemplate { get; }

    internal LlamaModelHandle Handle => handle;

    /// <summary>Loads a model; <see cref="LlamaLibrary.Load"/> must have run.</summary>
    /// <exception cref="LlamaException">The file is missing or llama.cpp cannot load it (the message carries its reason).</exception>
    public static LlamaModel Load(string path, LlamaModelSettings? settings = null)
    {
        if (LlamaLibrary.Loaded is null)
        {
            throw new InvalidOperationException("LlamaLibrary.Load(library_dir) must run before a model is loaded.");
        }

        if (!File.Exists(path))
        {
            throw new LlamaException($"model file not found: {path}");
        }

        settings ??= LlamaModelSettings.Default;
        var parameters = LlamaNative.llama_model_default_params();
        parameters.NGpuLayers = settings.GpuLayers;

        var mark = LlamaLog.Mark;
        var started = Stopwatch.GetTimestamp();
        var model = LlamaNative.llama_model_load_from_file(path, parameters);
        var loadTime = Stopwatch.GetElapsedTime(started);
        if (model == 0)
        {
            var why = LlamaLog.Since(mark);
            throw new LlamaException($"llama.cpp could not load {path}: {(why.Length > 0 ? why : "no reason given")}");
        }

        return new LlamaModel(path, new LlamaModelHandle(model), loadTime);
    }

    public LlamaContext CreateContext(LlamaContextSettings? settings = null)
    {
        ThrowIfDisposed();
        return new LlamaContext(this, settings ?? LlamaContextSettings.Default);
    }

    public bool IsEndOfGeneration(int token)
    {
        ThrowIfDisposed();
        return LlamaNative.llama_vocab_is_eog(vocab, token);
    }

    /// <summary>Text to tokens; <paramref name="addSpecial"/> adds BOS where the model wants it, <paramref name="parseSpecial"/> reads "&lt;s&gt;"-style tokens in the text.</summary>
    public int[] Tokenize(string text, bool addSpecial = true, bool parseSpecial = true)
    {
        ThrowIfDisposed();
        var bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new int[bytes.Length + 8];
        fixed (byte* b = bytes)
        {
            while (true)
            {
                int n;
                fixed (int* t = tokens)
                {
                    n = LlamaNative.llama_tokenize(vocab, b, bytes.Length, t, tokens.Length, addSpecial, parseSpecial);
                }

                if (n >= 0)
                {
                    return tokens[..n];
                }

                if (n == int.MinValue)
                {
                    throw new LlamaException($"text of {bytes.Length} bytes has too many tokens to count");
                }

                tokens = new int[-n];
            }
        }
    }

    /// <summary>The bytes one token stands for (a piece may be part of a UTF-8 character).</summary>
    public int TokenToPiece(int token, Span<byte> buffer, bool special = false)
    {
        ThrowIfDisposed();
        fixed (byte* b = buffer)
        {
            return LlamaNative.llama_token_to_piece(vocab, token, b, buffer.Length, 0, special);
        }
    }

    public byte[] TokenToPiece(int token, bool special = false)
    {
        Span<byte> buffer = stackalloc byte[64];
        var n = TokenToPiece(token, buffer, special);
        if (n < 0)
        {
            buffer = new byte[-n];
            n = TokenToPiece(token, buffer, special);
        }

        return buffer[..n].ToArray();
    }

    /// <summary>Tokens to text; with <paramref name="removeSpecial"/> the inverse of <see cref="Tokenize"/>.</summary>
    public string Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial = true, bool unparseSpecial = false)
    {
        // llama.cpp keeps the space a SentencePiece vocabulary puts before the first word when it removes the
        // BOS itself; without the BOS it strips that space, which is what makes this the inverse of Tokenize.
        if (removeSpecial && tokens.Length > 0 && tokens[0] == Bos)
        {
            tokens = tokens[1..];
        }

        ThrowIfDisposed();
        var buffer = new byte[(tokens.Length * 8) + 16];
        fixed (int* t = tokens)
        {
            while (true)
            {
                int n;
                fixed (byte* b = buffer)
                {
                    n = LlamaNative.llama_detokenize(vocab, t, tokens.Length, b, buffer.Length, removeSpecial, unparseSpecial);
                }

                if (n >= 0)
                {
                    return Encoding.UTF8.GetString(buffer, 0, n);
                }

                buffer = new byte[-n];
            }
        }
    }

    public void Dispose()
    {
        disposed = true;
        handle.Dispose();
    }

    // Contexts hold the native model until they go, but this object's calls stop at Dispose.
    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    private static string ReadDescription(nint model)
    {
        Span<byte> buffer = stackalloc byte[256];
        fixed (byte* b = buffer)
        {
            var n = LlamaNative.llama_model_desc(model, b, (nuint)buffer.Length);
            return n <= 0 ? "" : Encoding.UTF8.GetString(buffer[..Math.Min(n, buffer.Length - 1)]);
        }
    }
}
