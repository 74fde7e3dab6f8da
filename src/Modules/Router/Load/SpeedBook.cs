using System.Collections.Concurrent;

namespace AuroraNode.Modules.Router.Load;

/// <summary>
/// This node's measured speed per model (local llama.cpp and fronted servers alike): moving averages of prompt and
/// generation tokens/s and of the time a request holds a slot. <see cref="Version"/> changes on every record.
/// </summary>
internal sealed class SpeedBook
{
    // Weight of the newest request: a few requests move the average most of the way.
    public const double Weight = 0.3;

    private readonly ConcurrentDictionary<string, Speed> speeds = new(StringComparer.Ordinal);
    private int version;

    public int Version => Volatile.Read(ref version);

    public Speed Of(string model) => speeds.GetValueOrDefault(model) ?? Speed.None;

    public void Record(string model, int promptTokens, TimeSpan promptDuration, int evalTokens, TimeSpan evalDuration, TimeSpan held)
    {
        speeds.AddOrUpdate(
            model,
            _ => Speed.None.With(promptTokens, promptDuration, evalTokens, evalDuration, held),
            (_, old) => old.With(promptTokens, promptDuration, evalTokens, evalDuration, held));
        Interlocked.Increment(ref version);
    }

    /// <summary>Moving averages; 0 where nothing was measured.</summary>
    internal sealed record Speed(double PromptTokensPerSecond, double GenerationTokensPerSecond, double AverageMs)
    {
        public static readonly Speed None = new(0, 0, 0);

        public Speed With(int promptTokens, TimeSpan promptDuration, int evalTokens, TimeSpan evalDuration, TimeSpan held) => new(
            promptTokens > 0 && promptDuration > TimeSpan.Zero ? Average(PromptTokensPerSecond, promptTokens / promptDuration.TotalSeconds) : PromptTokensPerSecond,
            evalTokens > 0 && evalDuration > TimeSpan.Zero ? Average(GenerationTokensPerSecond, evalTokens / evalDuration.TotalSeconds) : GenerationTokensPerSecond,
            Average(AverageMs, held.TotalMilliseconds));

        private static double Average(double old, double sample) => old <= 0 ? sample : (old * (1 - Weight)) + (sample * Weight);
    }
}
