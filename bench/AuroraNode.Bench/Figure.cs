namespace AuroraNode.Bench;

/// <summary>One figure of the node, its peer's from the same run, the ratio of their medians and the target (Met is null without one).</summary>
internal sealed record Figure(string Name, string Unit, Spread Value, string Peer, Spread PeerValue, string Target, bool? Met, IReadOnlyList<string> Notes)
{
    /// <summary>Raw samples behind the figure (e.g. every latency), saved with the run; null when Value holds them all.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>>? Samples { get; init; }

    /// <summary>Percent of the machine's CPU that other programs used during the benchmark (see <see cref="CpuWatch"/>).</summary>
    public double OthersCpuPercent { get; init; }

    public double Ratio => PeerValue.Median == 0 ? double.NaN : Value.Median / PeerValue.Median;
}
