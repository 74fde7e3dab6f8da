using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>Waits until every receiver has counted what was sent, or until the counts stop moving (events lost).</summary>
internal static class Deliveries
{
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(10);

    /// <returns>When the last receiver got its last event (a Stopwatch timestamp), and each receiver's count.</returns>
    public static async Task<(long At, long[] Counts)> WaitAsync(IReadOnlyList<Func<CancellationToken, Task<long>>> counts, long expected, CancellationToken ct)
    {
        var last = new long[counts.Count];
        var progressAt = Stopwatch.GetTimestamp();
        while (true)
        {
            var now = await Task.WhenAll(counts.Select(c => c(ct)));
            var at = Stopwatch.GetTimestamp();
            if (now.All(n => n >= expected))
            {
                return (at, now);
            }

            if (!now.SequenceEqual(last))
            {
                (last, progressAt) = (now, at);
            }
            else if (Stopwatch.GetElapsedTime(progressAt) > Stalled)
            {
                return (progressAt, now);
            }

            await Task.Delay(2, ct);
        }
    }
}
