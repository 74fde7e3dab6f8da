namespace AuroraNode.Bench;

/// <summary>GET /api/v1/node requests/s under wrk, against a bare Kestrel endpoint with a same-shaped JSON body.</summary>
internal static class HttpBench
{
    private const int Rounds = 2;
    private const double TargetRatio = 0.5;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(10);

    public static async Task<Figure> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        Console.WriteLine($"http: wrk -t{Wrk.Threads} -c{Wrk.Connections}, {Warmup.TotalSeconds:0} s warm-up each, then {Rounds} alternating rounds of {Measure.TotalSeconds:0} s");
        await using var node = new NodeProcess(binary);
        await node.StartAsync(ct);
        await using var bare = await BareKestrelProcess.StartAsync(ct);
        var nodeUrl = $"{node.Url}/api/v1/node";
        var bareUrl = $"{bare.Url}/api/v1/node";
        // The node checks the admin's token on every request (signature cached, session liveness cached 1 s); the
        // bare endpoint gets the same header and ignores it.
        var token = await node.AdminTokenAsync(ct);
        var nodeBytes = await BodyBytesAsync(nodeUrl, token, ct);
        var bareBytes = await BodyBytesAsync(bareUrl, token, ct);
        await Wrk.RunAsync(nodeUrl, token, Warmup, ct);
        await Wrk.RunAsync(bareUrl, token, Warmup, ct);

        List<Wrk.Result> nodeRounds = [], bareRounds = [];
        for (var i = 1; i <= Rounds; i++)
        {
            nodeRounds.Add(await Wrk.RunAsync(nodeUrl, token, Measure, ct));
            bareRounds.Add(await Wrk.RunAsync(bareUrl, token, Measure, ct));
            Console.WriteLine($"  round {i}: node {nodeRounds[^1].RequestsPerSecond:#,0} req/s, bare {bareRounds[^1].RequestsPerSecond:#,0} req/s");
        }

        var nodeRps = Spread.Of(nodeRounds.Select(r => r.RequestsPerSecond));
        var bareRps = Spread.Of(bareRounds.Select(r => r.RequestsPerSecond));
        return new Figure(
            "GET /api/v1/node", "req/s", nodeRps,
            $"a bare Kestrel endpoint (CreateSlimBuilder, one MapGet) answering {bareBytes} bytes of the same JSON shape; the node's body is {nodeBytes} bytes",
            bareRps, $"ratio >= {TargetRatio:0.00}", nodeRps.Median / bareRps.Median >= TargetRatio,
            [
                $"latency p50/p99 (median of rounds): node {Median(nodeRounds, r => r.P50Ms):0.00}/{Median(nodeRounds, r => r.P99Ms):0.00} ms, " +
                $"bare {Median(bareRounds, r => r.P50Ms):0.00}/{Median(bareRounds, r => r.P99Ms):0.00} ms",
                $"wrk socket errors: node {nodeRounds.Sum(r => r.SocketErrors)}, bare {bareRounds.Sum(r => r.SocketErrors)}",
                $"RSS after the load: node {ProcFs.RssMiB(node.Pid):0} MiB, bare {ProcFs.RssMiB(bare.Pid):0} MiB",
                $"wrk runs on the same {Environment.ProcessorCount} cores as the server it measures",
            ]);
    }

    private static double Median(List<Wrk.Result> rounds, Func<Wrk.Result, double> pick) => Spread.Of(rounds.Select(pick)).Median;

    private static async Task<int> BodyBytesAsync(string url, string token, CancellationToken ct)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (await http.GetByteArrayAsync(url, ct)).Length;
    }
}
