namespace AuroraNode.Bench;

/// <summary>
/// Cold start to ready on an existing data dir (spawn to GET /health/ready 200), against starting the same
/// PostgreSQL data dir with <c>pg_ctl start -w</c> plus the same redis.conf by hand, run after run.
/// </summary>
internal static class StartupBench
{
    private const int Runs = 7;
    private const double TargetMs = 2000;

    public static async Task<Figure> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        Console.WriteLine($"startup: a first start (initdb), then {Runs} × (node start, pg_ctl start, redis-server start) on the same files");
        await using var node = new NodeProcess(binary);
        var first = (await node.StartAsync(ct)).TotalMilliseconds;
        await node.StopAsync();

        List<double> nodeRuns = [], rawRuns = [], pgCtlRuns = [], redisRuns = [];
        List<double> pidFileReady = [];
        for (var i = 1; i <= Runs; i++)
        {
            var start = (await node.StartAsync(ct)).TotalMilliseconds;
            await node.StopAsync();
            var pg = await RawServers.StartAndStopPostgresAsync(node, ct);
            var redis = (await RawServers.StartAndStopRedisAsync(node, ct)).TotalMilliseconds;
            nodeRuns.Add(start);
            pgCtlRuns.Add(pg.PgCtl.TotalMilliseconds);
            redisRuns.Add(redis);
            rawRuns.Add(pg.PgCtl.TotalMilliseconds + redis);
            if (pg.PidFileReady is { } ready)
            {
                pidFileReady.Add(ready.TotalMilliseconds);
            }

            Console.WriteLine($"  run {i}: node {start:0} ms; pg_ctl {pg.PgCtl.TotalMilliseconds:0} ms + redis-server {redis:0} ms");
        }

        var nodeMedian = Spread.Of(nodeRuns).Median;
        return new Figure(
            "start to ready, existing data dir", "ms", Spread.Of(nodeRuns),
            "pg_ctl start -w plus redis-server until PING, on the node's own data dir, in the same runs",
            Spread.Of(rawRuns), $"<= {TargetMs:0} ms", nodeMedian <= TargetMs,
            [
                $"node, run by run: {string.Join(", ", nodeRuns.Select(r => $"{r:0}"))} ms",
                $"first start (initdb included): {first:0} ms",
                $"peer parts: pg_ctl start -w {Spread.Of(pgCtlRuns).Format("ms")}, redis-server {Spread.Of(redisRuns).Format("ms")}",
                pidFileReady.Count > 0
                    ? $"postmaster.pid said ready at {Spread.Of(pidFileReady).Format("ms")} (pg_ctl -w looks every 100 ms, so its figure is rounded up to that)"
                    : "postmaster.pid 'ready' was not observed",
                $"node minus peer (medians): {nodeMedian - Spread.Of(rawRuns).Median:0} ms: the .NET host, the modules' start-up and readiness checks",
            ]);
    }
}
