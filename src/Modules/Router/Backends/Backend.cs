using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Models;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// One server this node fronts, with its slots and queue as this node counts them (requests beyond its slots wait
/// here, so the load the node publishes is true) and its models: configured, or last listed by the server.
/// </summary>
internal sealed class Backend(BackendSettings settings, int queueLimit)
{
    private readonly SemaphoreSlim slots = new(settings.Slots, settings.Slots);
    private IReadOnlyList<string> listed = [];
    private IReadOnlyDictionary<string, ModelFacts> facts = new Dictionary<string, ModelFacts>();
    private int waiting;

    public BackendSettings Settings => settings;

    public int Busy => settings.Slots - slots.CurrentCount;

    public int Waiting => Volatile.Read(ref waiting);

    /// <summary>The request shapes it takes: an Ollama server speaks both; for an OpenAI one this node translates Ollama's.</summary>
    public IReadOnlyList<string> Apis { get; } = [RequestApi.Ollama, RequestApi.OpenAi];

    public IReadOnlyList<string> Models => (settings.Models ?? listed).Select(ModelNames.Bare).Distinct().ToList();

    /// <summary>Where the last attempt to list the server's models failed, or null.</summary>
    public string? ListProblem { get; private set; }

    public bool Has(string model) => Models.Contains(ModelNames.Bare(model));

    /// <summary>The model as the server names it ("o" for a client's "o:latest"), the client's name when the server lists none like it.</summary>
    public string ServerName(string model)
    {
        var bare = ModelNames.Bare(model);
        return (settings.Models ?? listed).FirstOrDefault(n => ModelNames.Bare(n) == bare) ?? model;
    }

    /// <summary>The names the server listed last (its models unless the config names them).</summary>
    public IReadOnlyList<string> ListedNames => listed;

    /// <summary>What the server said of a model (an Ollama server's size, digest, details), or null.</summary>
    public ModelFacts? Facts(string model) => facts.GetValueOrDefault(ModelNames.Bare(model));

    public void Listed(IReadOnlyList<ListedModel> models)
    {
        listed = models.Select(m => m.Name).ToList();
        facts = models.Where(m => m.Facts is not null).GroupBy(m => ModelNames.Bare(m.Name)).ToDictionary(g => g.Key, g => g.First().Facts!);
        ListProblem = null;
    }

    public void ListFailed(string problem) => ListProblem = problem;

    /// <summary>Takes a slot, waiting when all are busy; a full queue refuses at once.</summary>
    /// <exception cref="QueueFullException">All slots busy and queue_limit requests waiting.</exception>
    public async Task<IDisposable> TakeSlotAsync(string model, CancellationToken ct)
    {
        if (!slots.Wait(0))
        {
            if (Interlocked.Increment(ref waiting) > queueLimit)
            {
                Interlocked.Decrement(ref waiting);
                throw new QueueFullException(model, queueLimit, TimeSpan.FromSeconds(1));
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

        return new Slot(slots);
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
