using System.Collections.Concurrent;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// The requests this node is routing now, and those it routed lately, per node and model: for GET /api/gpu/queue,
/// and to bring a node's published figures up to date with what this node itself sent there since.
/// </summary>
internal sealed class InFlight(TimeProvider time)
{
    /// <summary>Ended requests older than this no longer matter: every live node has published since.</summary>
    public static readonly TimeSpan Remember = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string Node, string Model), Track> tracks = new();
    private long next;

    public Dispatch Begin(string node, string model, double estimateMs)
    {
        var dispatch = new Dispatch(Interlocked.Increment(ref next), node, model, time.GetUtcNow(), estimateMs, this);
        var track = tracks.GetOrAdd((node, model), _ => new Track());
        lock (track)
        {
            track.Running.Add(dispatch);
        }

        return dispatch;
    }

    /// <summary>
    /// How many more requests of this node's <paramref name="node"/> holds than its figures of <paramref name="since"/>
    /// show: those sent after, still running, less those running then that have ended (may be negative).
    /// </summary>
    public int ChangeSince(string node, string model, DateTimeOffset since)
    {
        if (!tracks.TryGetValue((node, model), out var track))
        {
            return 0;
        }

        lock (track)
        {
            var change = 0;
            foreach (var d in track.Running)
            {
                change += d.Started > since ? 1 : 0;
            }

            foreach (var (started, ended) in track.Ended)
            {
                change -= started <= since && ended > since ? 1 : 0;
            }

            return change;
        }
    }

    public IReadOnlyList<Dispatch> All() =>
        tracks.Values.SelectMany(t =>
        {
            lock (t)
            {
                return t.Running.ToList();
            }
        }).OrderBy(d => d.Id).ToList();

    private void End(Dispatch d)
    {
        if (!tracks.TryGetValue((d.Node, d.Model), out var track))
        {
            return;
        }

        var now = time.GetUtcNow();
        lock (track)
        {
            if (!track.Running.Remove(d))
            {
                return;
            }

            track.Ended.Enqueue((d.Started, now));
            while (track.Ended.TryPeek(out var oldest) && now - oldest.Ended > Remember)
            {
                track.Ended.Dequeue();
            }
        }
    }

    private sealed class Track
    {
        public List<Dispatch> Running { get; } = [];

        public Queue<(DateTimeOffset Started, DateTimeOffset Ended)> Ended { get; } = new();
    }

    /// <summary>One routed request; disposing it ends it.</summary>
    internal sealed record Dispatch(long Id, string Node, string Model, DateTimeOffset Started, double EstimateMs, InFlight Owner) : IDisposable
    {
        public void Dispose() => Owner.End(this);
    }
}
