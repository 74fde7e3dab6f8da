using System.Runtime.InteropServices;
using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// A llama.cpp context on a <see cref="LlamaModel"/>: one sequence at a time, not thread-safe. Reused between
/// generations by <see cref="Clear"/>; <see cref="Abort"/> stops a decode in flight from any thread.
/// </summary>
internal sealed unsafe class LlamaContext : IDisposable
{
    private readonly LlamaContextHandle handle;
    private readonly int* abortFlag;
    private bool disposed;

    internal LlamaContext(LlamaModel model, LlamaContextSettings settings)
    {
        Model = model;
        var threads = settings.EffectiveThreads;
        var parameters = LlamaNative.llama_context_default_params();
        parameters.NCtx = (uint)settings.ContextSize;
        parameters.NBatch = (uint)settings.BatchSize;
        parameters.NUbatch = (uint)settings.BatchSize;
        parameters.NSeqMax = 1;
        parameters.NThreads = threads;
        parameters.NThreadsBatch = threads;
        parameters.NoPerf = 1;

        var mark = LlamaLog.Mark;
        var context = LlamaNative.llama_init_from_model(model.Handle.DangerousGetHandle(), parameters);
        if (context == 0)
        {
            var why = LlamaLog.Since(mark);
            throw new LlamaException($"llama.cpp could not create a context of {settings.ContextSize} tokens on {model.Path}: {(why.Length > 0 ? why : "no reason given")}");
        }

        handle = new LlamaContextHandle(context, model.Handle);
        LlamaNative.llama_set_n_threads(context, threads, threads);
        abortFlag = (int*)NativeMemory.AllocZeroed(sizeof(int));
        LlamaNative.llama_set_abort_callback(context, &OnAbortCheck, abortFlag);
        ContextSize = (int)LlamaNative.llama_n_ctx(context);
        BatchSize = (int)LlamaNative.llama_n_batch(context);
        Threads = LlamaNative.llama_n_threads(context);
    }

    public LlamaModel Model { get; }

    /// <summary>What llama.cpp made of the requested size (it may round up).</summary>
    public int ContextSize { get; }

    public int BatchSize { get; }

    public int Threads { get; }

    internal nint Pointer => handle.DangerousGetHandle();

    /// <summary>Forgets every token seen (the KV cache), so the next decode starts a new sequence at position 0.</summary>
    public void Clear()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        LlamaNative.llama_memory_clear(LlamaNative.llama_get_memory(Pointer), true);
    }

    /// <summary>Makes the decode in flight (and every later one until <see cref="ResetAbort"/>) stop early.</summary>
    public void Abort() => Volatile.Write(ref *abortFlag, 1);

    public void ResetAbort() => Volatile.Write(ref *abortFlag, 0);

    /// <summary>Feeds tokens to the model in batches; logits are then those of the last token.</summary>
    /// <exception cref="OperationCanceledException">An <see cref="Abort"/> stopped it.</exception>
    public void Decode(ReadOnlySpan<int> tokens)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        fixed (int* all = tokens)
        {
            for (var start = 0; start < tokens.Length; start += BatchSize)
            {
                var n = Math.Min(BatchSize, tokens.Length - start);
                var status = LlamaNative.llama_decode(Pointer, LlamaNative.llama_batch_get_one(all + start, n));
                switch (status)
                {
                    case 0:
                        continue;
                    case 2:
                        throw new OperationCanceledException("llama_decode aborted");
                    case 1:
                        throw new LlamaException($"the context of {ContextSize} tokens is full");
                    default:
                        throw new LlamaException($"llama_decode failed ({status})");
                }
            }
        }
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        handle.Dispose();
        NativeMemory.Free(abortFlag);
    }

    [UnmanagedCallersOnly]
    private static byte OnAbortCheck(void* data) => Volatile.Read(ref *(int*)data) != 0 ? (byte)1 : (byte)0;
}
