using System.Collections.Concurrent;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// The requests this node is routing now, and those it routed in the last <see cref="Remember"/>: for GET
/// /api/gpu/queue, and to bring a node's published figures up to date with what this node itself sent there since.
/// </summary>
internal sealed class InFlight(TimeProvider time)
{
    public static readonly TimeSpan Remember = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<long, Dispatch> running = new();
    private readonly ConcurrentQueue<Ended> ended = new();
    private long next;

    public Dispatch Begin(string node, string model, double estimateMs)
    {
        var dispatch = new Dispatch(Interlocked.Increment(ref next), node, model, time.GetUtcNow(), estimateMs, this);
        running[dispatch.Id] = dispatch;
        return dispatch;
    }

    /// <summary>
    /// How many more requests of this node's <paramref name="node"/> holds than its figures of <paramref name="since"/>
    /// show: those sent after, still running, less those running then that have ended (may be negative).
    /// </summary>
    public int ChangeSince(string node, string model, DateTimeOffset since)
    {
        var sent = running.Values.Count(d => d.Node == node && d.Model == model && d.Started > since);
        var done = ended.Count(e => e.Node == node && e.Model == model && e.Started <= since && e.At > since);
        return sent - done;
    }

    public IReadOnlyList<Dispatch> All() => running.Values.OrderBy(d => d.Id).ToList();

    private void End(Dispatch d)
    {
        if (!running.TryRemove(d.Id, out _))
        {
            return;
        }

        var now = time.GetUtcNow();
        ended.Enqueue(new Ended(d.Node, d.Model, d.Started, now));
        while (ended.TryPeek(out var oldest) && now - oldest.At > Remember)
        {
            ended.TryDequeue(out _);
        }
    }

    private sealed record Ended(string Node, string Model, DateTimeOffset Started, DateTimeOffset At);

    /// <summary>One routed request; disposing it ends it.</summary>
    internal sealed record Dispatch(long Id, string Node, string Model, DateTimeOffset Started, double EstimateMs, InFlight Owner) : IDisposable
    {
        public void Dispose() => Owner.End(this);
    }
}
