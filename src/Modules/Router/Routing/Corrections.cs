using System.Collections.Concurrent;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// What this node learned from the requests it routed: per node and model, a moving average of actual / estimated
/// time (the network round trip left out). Against the prior it may correct a lot (a node that claims a GPU it does
/// not have is found out by its first request); against the node's own measured figures only fine-tune (×0.5 to ×2),
/// since those already show its speed and load. It fades back to 1 (half-life <see cref="HalfLife"/>), so that one
/// bad spell does not keep a node out for good.
/// </summary>
internal sealed class Corrections(TimeProvider time)
{
    public const double Weight = 0.5;
    public static readonly TimeSpan HalfLife = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string Node, string Model), Entry> entries = new();

    /// <summary>The factor for an estimate made from measured figures (<paramref name="measured"/>) or the prior.</summary>
    public double Of(string node, string model, bool measured) =>
        entries.TryGetValue((node, model), out var e) && e.Measured == measured ? Faded(e) : 1;

    /// <summary>Records one request: its estimate (without correction and round trip) and how long it really took.</summary>
    public void Record(string node, string model, bool measured, double estimatedMs, double actualMs)
    {
        if (estimatedMs <= 0 || actualMs <= 0)
        {
            return;
        }

        var (min, max) = measured ? (0.5, 2.0) : (0.05, 20.0);
        var sample = Math.Clamp(actualMs / estimatedMs, min, max);
        var now = time.GetUtcNow();
        entries.AddOrUpdate(
            (node, model),
            _ => new Entry(sample, measured, now),
            (_, old) => old.Measured == measured ? new Entry((Faded(old) * (1 - Weight)) + (sample * Weight), measured, now) : new Entry(sample, measured, now));
    }

    private double Faded(Entry e)
    {
        var halves = (time.GetUtcNow() - e.At) / HalfLife;
        return 1 + ((e.Ratio - 1) * Math.Pow(0.5, Math.Max(0, halves)));
    }

    private sealed record Entry(double Ratio, bool Measured, DateTimeOffset At);
}
