using System.Runtime.InteropServices;
using AuroraNode.Bench;

// The node against a peer measured in the same run, as ratios; bench/README.md has the figures and how to reproduce them.
//   all | startup | rss | http [--node PATH]   StartupBench, RssBench, HttpBench against the Release build (NodeBinary)
//   events-latency | events-throughput | registry [--node PATH]   EventLatencyBench, EventThroughputBench, RegistryBench: a mesh of node processes
//   failover [--node PATH]                     FailoverBench: kill of the lead → first commit on the backup, against Patroni + etcd
//   replica-visibility [--node PATH]           ReplicaVisibilityBench: commit → visible on a replica under pgbench, against bare PostgreSQL
//   tokens                                     TokensBench: in-process token validation/creation and password hashing, against JsonWebTokenHandler
//   auth [--node PATH]                         AuthBench: login latency and logout-everywhere propagation across two nodes
//   inference [--node PATH]                    InferenceBench: tokens/s through /api/generate against libllama directly and node-llama-cpp
//   routing                                    RoutingBench: in-process routing simulation against round-robin, least-busy and an oracle; decision time with 50 nodes
//   bare-kestrel --port N                      BareKestrel: the peer of rss and http, started by the runner as its own process
//   bare-listener --channel C [--touch KEY]    BareListener: a Redis subscriber process, the peer of event and heartbeat CPU
if (args is ["bare-kestrel", "--port", var portText] && int.TryParse(portText, out var port))
{
    await BareKestrel.RunAsync(port);
    return 0;
}

if (args is ["bare-listener", ..])
{
    return await BareListener.RunAsync(args[1..]);
}

// Run in this order by "all".
var benchmarks = new (string Name, Func<NodeBinary, CancellationToken, Task<IReadOnlyList<Figure>>> Run)[]
{
    ("startup", async (node, ct) => [await StartupBench.RunAsync(node, ct)]),
    ("rss", async (node, ct) => [await RssBench.RunAsync(node, ct)]),
    ("http", async (node, ct) => [await HttpBench.RunAsync(node, ct)]),
    ("events-latency", EventLatencyBench.RunAsync),
    ("events-throughput", EventThroughputBench.RunAsync),
    ("registry", RegistryBench.RunAsync),
    ("failover", FailoverBench.RunAsync),
    ("replica-visibility", ReplicaVisibilityBench.RunAsync),
    ("tokens", TokensBench.RunAsync),
    ("auth", AuthBench.RunAsync),
    ("routing", RoutingBench.RunAsync),
    ("inference", InferenceBench.RunAsync),
};
if (BenchOptions.Parse(args, [.. benchmarks.Select(b => b.Name)]) is not { } options)
{
    await Console.Error.WriteLineAsync(BenchOptions.Usage);
    return 2;
}

// Ctrl+C or SIGTERM cancels the benchmark in progress; the nodes, servers and temp folders it started are still cleaned up.
using var interrupted = new CancellationTokenSource();
using var onSigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; interrupted.Cancel(); });
using var onSigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; interrupted.Cancel(); });
var ct = interrupted.Token;

try
{
    var node = options.Verb is "tokens" or "routing" ? NodeBinary.InProcess : NodeBinary.Resolve(options.NodePath);
    var machine = await Machine.DescribeAsync(ct);
    Console.WriteLine($"machine: {machine}");
    var quiet = new CpuWatch();
    await Task.Delay(TimeSpan.FromSeconds(2), ct);
    if (quiet.OthersPercent() is var busy and > 10)
    {
        Console.WriteLine($"warning: other programs use {busy:0}% of the CPU: the figures will be noisy (each figure notes how busy the machine was)");
    }

    var report = new Report(machine, node, options.Verb, TimeProvider.System);
    foreach (var (name, run) in benchmarks.Where(b => options.Includes(b.Name)))
    {
        try
        {
            var cpu = new CpuWatch();
            var figures = await run(node, ct);
            var others = cpu.OthersPercent();
            foreach (var figure in figures)
            {
                report.Add(figure with { OthersCpuPercent = others });
            }
        }
        catch (Exception ex) when (ex is BenchException or HttpRequestException or IOException or TimeoutException or StackExchange.Redis.RedisException)
        {
            report.Fail(name, ex.Message);
        }
    }

    report.Print();
    report.Save();
    return report.HasFailures ? 1 : 0;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("interrupted; what the run had started is stopped and removed");
    return 130;
}
catch (BenchException ex)
{
    await Console.Error.WriteLineAsync($"bench: {ex.Message}");
    return 1;
}
