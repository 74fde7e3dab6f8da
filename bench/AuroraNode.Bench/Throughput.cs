using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>Operations per second of one call on one thread, over a fixed time.</summary>
internal static class Throughput
{
    private const int Batch = 64;

    public static double Measure(Action<int> operation, TimeSpan duration)
    {
        var watch = Stopwatch.StartNew();
        var done = 0;
        while (watch.Elapsed < duration)
        {
            for (var i = 0; i < Batch; i++)
            {
                operation(done + i);
            }

            done += Batch;
        }

        return done / watch.Elapsed.TotalSeconds;
    }

    public static async Task<double> MeasureAsync(Func<int, Task> operation, TimeSpan duration)
    {
        var watch = Stopwatch.StartNew();
        var done = 0;
        while (watch.Elapsed < duration)
        {
            for (var i = 0; i < Batch; i++)
            {
                await operation(done + i);
            }

            done += Batch;
        }

        return done / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Milliseconds per call, one sample per call.</summary>
    public static List<double> Time(Action operation, int runs)
    {
        var samples = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            operation();
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }

        return samples;
    }
}
