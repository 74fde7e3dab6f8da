namespace AuroraNode.Bench;

/// <summary>Percentiles of latency samples (nearest rank), and a one-line summary of them.</summary>
internal static class Percentile
{
    public static double Of(IReadOnlyList<double> samples, double percent)
    {
        var sorted = samples.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static string Summary(IReadOnlyList<double> ms) =>
        $"p50 {Of(ms, 50):0.00} ms, p90 {Of(ms, 90):0.00} ms, p99 {Of(ms, 99):0.00} ms, max {ms.Max():0.00} ms ({ms.Count} samples)";

    public static double Ms(long from, long to) => (to - from) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
}
