using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>
/// The part of llama.h (and ggml-backend.h) the router uses, at <see cref="LlamaBuild.Commit"/>. The names
/// <see cref="Llama"/> and <see cref="Ggml"/> are resolved to files in the configured library_dir by
/// <see cref="LlamaLibrary"/>; nothing here may be called before <see cref="LlamaLibrary.Load"/>.
/// </summary>
internal static unsafe partial class LlamaNative
{
    public const string Llama = "llama";
    public const string Ggml = "ggml";

    public const int TokenNull = -1;
    public const uint DefaultSeed = 0xFFFFFFFF;

    // ggml-backend.h
    [LibraryImport(Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string dirPath);

    // Library
    [LibraryImport(Llama)]
    public static partial void llama_backend_init();

    [LibraryImport(Llama)]
    public static partial byte* llama_version();

    [LibraryImport(Llama)]
    public static partial byte* llama_print_system_info();

    [LibraryImport(Llama)]
    public static partial void llama_log_set(delegate* unmanaged<int, byte*, void*, void> callback, void* userData);

    // Model
    [LibraryImport(Llama)]
    public static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(Llama, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint llama_model_load_from_file(string pathModel, LlamaModelParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_model_free(nint model);

    [LibraryImport(Llama)]
    public static partial nint llama_model_get_vocab(nint model);

    [LibraryImport(Llama)]
    public static partial int llama_model_desc(nint model, byte* buf, nuint bufSize);

    [LibraryImport(Llama)]
    public static partial ulong llama_model_n_params(nint model);

    [LibraryImport(Llama)]
    public static partial ulong llama_model_size(nint model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_ctx_train(nint model);

    [LibraryImport(Llama)]
    public static partial byte* llama_model_chat_template(nint model, byte* name);

    // Context
    [LibraryImport(Llama)]
    public static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(Llama)]
    public static partial nint llama_init_from_model(nint model, LlamaContextParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_free(nint ctx);

    [LibraryImport(Llama)]
    public static partial void llama_set_n_threads(nint ctx, int nThreads, int nThreadsBatch);

    [LibraryImport(Llama)]
    public static partial int llama_n_threads(nint ctx);

    [LibraryImport(Llama)]
    public static partial uint llama_n_ctx(nint ctx);

    [LibraryImport(Llama)]
    public static partial uint llama_n_batch(nint ctx);

    [LibraryImport(Llama)]
    public static partial void llama_set_abort_callback(nint ctx, delegate* unmanaged<void*, byte> callback, void* data);

    [LibraryImport(Llama)]
    public static partial nint llama_get_memory(nint ctx);

    [LibraryImport(Llama)]
    public static partial void llama_memory_clear(nint memory, [MarshalAs(UnmanagedType.U1)] bool data);

    // Decoding
    [LibraryImport(Llama)]
    public static partial LlamaBatch llama_batch_get_one(int* tokens, int nTokens);

    [LibraryImport(Llama)]
    public static partial LlamaBatch llama_batch_init(int nTokens, int embd, int nSeqMax);

    [LibraryImport(Llama)]
    public static partial void llama_batch_free(LlamaBatch batch);

    /// <summary>0 ok, 1 no KV slot, 2 aborted, -1 invalid batch, &lt; -1 fatal.</summary>
    [LibraryImport(Llama)]
    public static partial int llama_decode(nint ctx, LlamaBatch batch);

    [LibraryImport(Llama)]
    public static partial float* llama_get_logits_ith(nint ctx, int i);

    // Vocab
    [LibraryImport(Llama)]
    public static partial int llama_vocab_n_tokens(nint vocab);

    [LibraryImport(Llama)]
    public static partial int llama_vocab_bos(nint vocab);

    [LibraryImport(Llama)]
    public static partial int llama_vocab_eos(nint vocab);

    [LibraryImport(Llama)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_vocab_is_eog(nint vocab, int token);

    /// <summary>Token count, or minus the count needed when <paramref name="nTokensMax"/> is too small.</summary>
    [LibraryImport(Llama)]
    public static partial int llama_tokenize(
        nint vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    /// <summary>Bytes written (no terminator), or minus the size needed.</summary>
    [LibraryImport(Llama)]
    public static partial int llama_token_to_piece(
        nint vocab, int token, byte* buf, int length, int lstrip, [MarshalAs(UnmanagedType.U1)] bool special);

    /// <summary>Bytes written, or minus the size needed.</summary>
    [LibraryImport(Llama)]
    public static partial int llama_detokenize(
        nint vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    /// <summary>Bytes of the formatted prompt (may exceed <paramref name="length"/>), or &lt; 0 for an unknown template.</summary>
    [LibraryImport(Llama)]
    public static partial int llama_chat_apply_template(
        byte* tmpl, LlamaChatMessage* chat, nuint nMsg, [MarshalAs(UnmanagedType.U1)] bool addAss, byte* buf, int length);

    // Sampling
    [LibraryImport(Llama)]
    public static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

    [LibraryImport(Llama)]
    public static partial nint llama_sampler_chain_init(LlamaSamplerChainParams parameters);

    /// <summary>The chain takes ownership of <paramref name="sampler"/>.</summary>
    [LibraryImport(Llama)]
    public static partial void llama_sampler_chain_add(nint chain, nint sampler);

    [LibraryImport(Llama)]
    public static partial int llama_sampler_chain_n(nint chain);

    [LibraryImport(Llama)]
    public static partial nint llama_sampler_init_greedy();

    [LibraryImport(Llama)]
    public static partial nint llama_sampler_init_dist(uint seed);

    [LibraryImport(Llama)]
    public static partial nint llama_sampler_init_top_k(int k);

    [LibraryImport(Llama)]
    public static partial nint llama_sampler_init_top_p(float p, nuint minKeep);

    [LibraryImport(Llama)]
    public static partial nint llama_sampler_init_temp(float t);

    [LibraryImport(Llama)]
    public static partial int llama_sampler_sample(nint sampler, nint ctx, int idx);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_reset(nint sampler);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_free(nint sampler);
}
