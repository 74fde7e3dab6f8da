namespace AuroraNode.Bench;

/// <summary>GET /api/v1/node requests/s under wrk, against a bare Kestrel endpoint with a same-sized JSON body.</summary>
internal static class HttpBench
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(Report report)
    {
        Console.WriteLine("http: wrk -t2 -c32, warm-up then two alternating rounds");
        await using var node = new BenchNode();
        await node.StartAsync();
        await using var bare = await BareProcess.StartAsync();
        var nodeUrl = $"{node.Url}/api/v1/node";
        var bareUrl = $"{bare.Url}/api/v1/node";
        await Wrk.RunAsync(nodeUrl, Warmup);
        await Wrk.RunAsync(bareUrl, Warmup);

        var nodeResults = new List<Wrk.Result>();
        var bareResults = new List<Wrk.Result>();
        for (var round = 0; round < 2; round++)
        {
            nodeResults.Add(await Wrk.RunAsync(nodeUrl, Measure));
            bareResults.Add(await Wrk.RunAsync(bareUrl, Measure));
        }

        var n = nodeResults.Average(r => r.RequestsPerSecond);
        var b = bareResults.Average(r => r.RequestsPerSecond);
        report.Add(new Figure("GET /api/v1/node", n, "req/s", "bare Kestrel endpoint", b, ">= 50% of peer", true,
            $"p50/p99 node {nodeResults.Average(r => r.P50Ms):0.00}/{nodeResults.Average(r => r.P99Ms):0.00} ms, bare {bareResults.Average(r => r.P50Ms):0.00}/{bareResults.Average(r => r.P99Ms):0.00} ms"));
    }
}
