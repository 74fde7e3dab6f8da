namespace AuroraNode.Bench;

/// <summary>Repeated measurements of one quantity: median, min and max.</summary>
internal sealed record Spread(IReadOnlyList<double> Samples)
{
    public double Median
    {
        get
        {
            var sorted = Samples.Order().ToList();
            var mid = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public double Min => Samples.Min();

    public double Max => Samples.Max();

    public static Spread Of(IEnumerable<double> samples) => new(samples.ToList());

    public static Spread One(double sample) => new([sample]);

    public string Format(string unit) => Samples.Count == 1
        ? $"{Number(Median)} {unit}"
        : $"{Number(Median)} {unit} ({Number(Min)}–{Number(Max)})";

    private static string Number(double value) => value.ToString(Math.Abs(value) >= 100 ? "#,0" : "0.0", System.Globalization.CultureInfo.InvariantCulture);
}
