namespace AuroraNode.Bench;

/// <summary>Cold start to ready on an existing data dir, against starting the same PostgreSQL and Redis by hand.</summary>
internal static class StartupBench
{
    private const int Runs = 7;

    public static async Task RunAsync(Report report)
    {
        Console.WriteLine("startup: first start (initdb), then existing data dir");
        await using var node = new BenchNode();
        var first = await node.StartAsync();
        await node.StopAsync();

        var nodeRuns = new List<double>();
        var rawRuns = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            nodeRuns.Add((await node.StartAsync()).TotalMilliseconds);
            await node.StopAsync();
            var pg = await RawServers.StartAndStopPostgresAsync(node);
            var redis = await RawServers.StartAndStopRedisAsync(node);
            rawRuns.Add((pg + redis).TotalMilliseconds);
        }

        var notes = $"first start with initdb {first.TotalMilliseconds:0} ms; node runs {string.Join(", ", nodeRuns.Select(r => r.ToString("0")))} ms";
        report.Add(new Figure("start to ready, existing data dir", Median(nodeRuns), "ms", "postgres + redis-server by hand", Median(rawRuns), "<= 2000 ms", false, notes));
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
