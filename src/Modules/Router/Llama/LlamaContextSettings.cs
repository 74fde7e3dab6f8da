namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// One inference context (a KV cache and its threads). Threads 0 means one per core: llama.cpp's own default
/// of 4 on a 2-core machine makes every decode hundreds of times slower.
/// </summary>
internal sealed record LlamaContextSettings(int ContextSize = 2048, int BatchSize = 512, int Threads = 0)
{
    public static LlamaContextSettings Default { get; } = new();

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}
