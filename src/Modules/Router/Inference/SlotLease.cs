using AuroraNode.Modules.Router.Llama;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>One request's hold on a slot of a loaded model; disposing gives the slot back and starts the keep-alive.</summary>
internal sealed class SlotLease(ModelPool pool, LoadedModel model, Generator generator, TimeSpan? keepAlive, TimeSpan loadDuration, TimeProvider time)
    : IDisposable
{
    private readonly long started = time.GetTimestamp();
    private int disposed;

    public LoadedModel Loaded => model;

    public LlamaModel Model => model.Model!;

    public Generator Generator => generator;

    public TimeSpan LoadDuration => loadDuration;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            model.ReturnSlot(generator, time.GetElapsedTime(started));
            pool.Release(model, keepAlive);
        }
    }
}
