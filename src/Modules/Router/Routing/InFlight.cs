using System.Collections.Concurrent;
using AuroraNode.Modules.Router.Load;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// The requests this node is routing now, and those it routed lately, per node and model: for GET /api/gpu/queue,
/// to bring a node's published figures up to date with what this node itself sent there since, and (for the requests
/// it serves itself, whose size it knows and which say when they got a slot) for the backlog it publishes.
/// </summary>
internal sealed class InFlight(TimeProvider time)
{
    /// <summary>Ended requests older than this no longer matter: every live node has published since.</summary>
    public static readonly TimeSpan Remember = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<(string Node, string Model), Track> tracks = new();
    private long next;

    public Dispatch Begin(string node, string model, double estimateMs, RequestSize? size = null)
    {
        var dispatch = new Dispatch(Interlocked.Increment(ref next), node, model, time.GetUtcNow(), estimateMs, size, this, time);
        var track = tracks.GetOrAdd((node, model), _ => new Track());
        lock (track)
        {
            track.Running.Add(dispatch);
        }

        return dispatch;
    }

    /// <summary>
    /// How many more requests of this node's <paramref name="node"/> holds than its figures made at
    /// <paramref name="asOf"/> show: those that had not reached it then and still run, less those it was serving then
    /// that have ended since (may be negative). A request takes <paramref name="oneWayMs"/> to reach the node and its
    /// end as long to come back: one sent just before the figures is not in them, and one whose end arrives just after
    /// had already left them.
    /// </summary>
    public int ChangeSince(string node, string model, DateTimeOffset asOf, double oneWayMs = 0)
    {
        if (!tracks.TryGetValue((node, model), out var track))
        {
            return 0;
        }

        var arrivedBy = asOf.AddMilliseconds(-oneWayMs);
        var endedAfter = asOf.AddMilliseconds(oneWayMs);
        lock (track)
        {
            var change = 0;
            foreach (var d in track.Running)
            {
                change += d.Started > arrivedBy ? 1 : 0;
            }

            foreach (var (started, ended) in track.Ended)
            {
                change -= started <= arrivedBy && ended > endedAfter ? 1 : 0;
            }

            return change;
        }
    }

    /// <summary>
    /// The slot time <paramref name="node"/> still owes its requests for <paramref name="model"/> whose size is known:
    /// <see cref="Backlog.RemainingMs"/> of each, its work priced by <paramref name="workMs"/>.
    /// </summary>
    public double BacklogMs(string node, string model, Func<RequestSize, double> workMs)
    {
        if (!tracks.TryGetValue((node, model), out var track))
        {
            return 0;
        }

        lock (track)
        {
            return track.Running.Where(d => d.Size is not null)
                .Sum(d => Backlog.RemainingMs(workMs(d.Size!), d.InSlotSince is { } at ? time.GetElapsedTime(at).TotalMilliseconds : null));
        }
    }

    /// <summary>Notes that the request this HTTP exchange serves has its slot now (a no-op for one not routed here).</summary>
    public static void InSlot(HttpContext http) => http.Features.Get<Dispatch>()?.TakeSlot();

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

    /// <summary>One routed request (<see cref="Size"/> known for those this node serves); disposing it ends it.</summary>
    internal sealed record Dispatch(long Id, string Node, string Model, DateTimeOffset Started, double EstimateMs, RequestSize? Size, InFlight Owner, TimeProvider Time)
        : IDisposable
    {
        private const long Waiting = long.MinValue;
        private long inSlotSince = Waiting;

        /// <summary>When it got a slot (a <see cref="TimeProvider"/> timestamp); null while it waits.</summary>
        public long? InSlotSince => Interlocked.Read(ref inSlotSince) is var at and not Waiting ? at : null;

        public void TakeSlot() => Interlocked.CompareExchange(ref inSlotSince, Time.GetTimestamp(), Waiting);

        public void Dispose() => Owner.End(this);
    }
}
