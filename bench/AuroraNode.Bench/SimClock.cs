namespace AuroraNode.Bench;

/// <summary>Simulated time for the router's own classes (InFlight, Corrections) inside the routing simulation.</summary>
internal sealed class SimClock : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public double NowMs { get; set; }

    public override DateTimeOffset GetUtcNow() => Start.AddMilliseconds(NowMs);
}
