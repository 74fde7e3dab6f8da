using System.Collections.Concurrent;
using System.Diagnostics;
using AuroraNode.Modules.Router.Llama;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>
/// One model in memory with its slots (a context and a generator each) and its bounded queue. The pool counts
/// its users and unloads it once idle past its keep-alive.
/// </summary>
internal sealed class LoadedModel(ModelSettings settings, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim slots = new(settings.Parallel, settings.Parallel);
    private readonly ConcurrentBag<Generator> free = [];
    private readonly List<LlamaContext> contexts = [];
    private readonly Lock loadGate = new();
    private Task<TimeSpan>? loading;
    private LlamaModel? model;
    private int waiting;
    private double averageSeconds = 1;

    public ModelSettings Settings => settings;

    public LlamaModel? Model => model;

    /// <summary>Requests that hold or wait for this model (guarded by the pool's lock).</summary>
    public int Users { get; set; }

    /// <summary>When it may be unloaded once idle; null keeps it.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public int Waiting => Volatile.Read(ref waiting);

    public int Busy => settings.Parallel - slots.CurrentCount;

    public bool LoadFailed => loading is { IsCompleted: true, IsCompletedSuccessfully: false };

    /// <summary>Loads the model and its contexts once (on a worker thread: llama.cpp blocks); later callers get 0.</summary>
    public async Task<TimeSpan> EnsureLoadedAsync(CancellationToken ct)
    {
        Task<TimeSpan> task;
        var first = false;
        lock (loadGate)
        {
            if (loading is null)
            {
                loading = Task.Run(Load, CancellationToken.None);
                first = true;
            }

            task = loading;
        }

        var took = await task.WaitAsync(ct);
        return first ? took : TimeSpan.Zero;
    }

    /// <summary>Takes a free slot, waiting in the queue when none is; a full queue refuses at once.</summary>
    public async Task<Generator> TakeSlotAsync(int queueLimit, CancellationToken ct)
    {
        if (!slots.Wait(0))
        {
            if (Interlocked.Increment(ref waiting) > queueLimit)
            {
                Interlocked.Decrement(ref waiting);
                throw new QueueFullException(settings.Name, queueLimit, RetryAfter());
            }

            try
            {
                await slots.WaitAsync(ct);
            }
            finally
            {
                Interlocked.Decrement(ref waiting);
            }
        }

        return free.TryTake(out var generator) ? generator : throw new InvalidOperationException("a slot was free but had no generator");
    }

    public void ReturnSlot(Generator generator, TimeSpan held)
    {
        averageSeconds = (averageSeconds * 0.8) + (held.TotalSeconds * 0.2);
        free.Add(generator);
        slots.Release();
    }

    public void Dispose()
    {
        foreach (var context in contexts)
        {
            context.Dispose();
        }

        model?.Dispose();
        slots.Dispose();
    }

    // How long until a queued request would likely get a slot: the requests ahead, by the recent average time a slot is held.
    private TimeSpan RetryAfter() =>
        TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(averageSeconds * (Waiting + 1) / settings.Parallel)));

    private TimeSpan Load()
    {
        var started = Stopwatch.GetTimestamp();
        var loaded = LlamaModel.Load(settings.Path, new LlamaModelSettings(settings.GpuLayers));
        try
        {
            for (var i = 0; i < settings.Parallel; i++)
            {
                var context = loaded.CreateContext(new LlamaContextSettings(settings.Context, Threads: settings.Threads));
                contexts.Add(context);
                free.Add(new Generator(context, time));
            }
        }
        catch
        {
            foreach (var context in contexts)
            {
                context.Dispose();
            }

            loaded.Dispose();
            throw;
        }

        model = loaded;
        return Stopwatch.GetElapsedTime(started);
    }
}
