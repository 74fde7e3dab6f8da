using System.Globalization;

namespace AuroraNode.Bench;

/// <summary>Reads a histogram's sum and count from a node's Prometheus <c>/metrics</c>, summed over the series that match.</summary>
internal static class NodeMetrics
{
    public readonly record struct Histogram(double Sum, double Count)
    {
        public static Histogram operator +(Histogram a, Histogram b) => new(a.Sum + b.Sum, a.Count + b.Count);

        public static Histogram operator -(Histogram a, Histogram b) => new(a.Sum - b.Sum, a.Count - b.Count);

        public double Mean => Count == 0 ? double.NaN : Sum / Count;
    }

    public static async Task<Histogram> ReadAsync(HttpClient nodeApi, string metric, string labelFilter, CancellationToken ct)
    {
        var text = await nodeApi.GetStringAsync("/metrics", ct);
        double sum = 0, count = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || !line.Contains(labelFilter, StringComparison.Ordinal))
            {
                continue;
            }

            var name = line[..line.IndexOfAny(['{', ' '])];
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            if (name.EndsWith("_sum", StringComparison.Ordinal))
            {
                sum += value;
            }
            else if (name.EndsWith("_count", StringComparison.Ordinal))
            {
                count += value;
            }
        }

        return new Histogram(sum, count);
    }
}
