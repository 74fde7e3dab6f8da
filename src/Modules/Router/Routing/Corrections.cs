using System.Collections.Concurrent;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// What this node learns from the requests it routes to a node whose speed is not measured yet: per node and model, a
/// moving average of actual / estimated time (the round trip left out), up to ×20 either way, so that a node that
/// claims a GPU it lacks is found out by its first request. Once the node's own measured figures arrive they rule
/// (factor 1): in the routing simulation, correcting them from end-to-end times only added noise (bench/README.md).
/// It fades back to 1 (half-life <see cref="HalfLife"/>), so that one bad spell does not keep a node out for good.
/// </summary>
internal sealed class Corrections(TimeProvider time)
{
    public const double Weight = 0.5;
    public const double Min = 0.05;
    public const double Max = 20;
    public static readonly TimeSpan HalfLife = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string Node, string Model), Entry> entries = new();

    /// <summary>The factor for an estimate made from measured figures (<paramref name="measured"/>: always 1) or the prior.</summary>
    public double Of(string node, string model, bool measured) =>
        !measured && entries.TryGetValue((node, model), out var e) ? Faded(e) : 1;

    /// <summary>Records one request: its estimate (without correction and round trip) and how long it really took.</summary>
    public void Record(string node, string model, bool measured, double estimatedMs, double actualMs)
    {
        if (measured || estimatedMs <= 0 || actualMs <= 0)
        {
            return;
        }

        var sample = Math.Clamp(actualMs / estimatedMs, Min, Max);
        var now = time.GetUtcNow();
        entries.AddOrUpdate(
            (node, model),
            _ => new Entry(sample, now),
            (_, old) => new Entry((Faded(old) * (1 - Weight)) + (sample * Weight), now));
    }

    private double Faded(Entry e)
    {
        var halves = (time.GetUtcNow() - e.At) / HalfLife;
        return 1 + ((e.Ratio - 1) * Math.Pow(0.5, Math.Max(0, halves)));
    }

    private sealed record Entry(double Ratio, DateTimeOffset At);
}
