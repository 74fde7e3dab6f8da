namespace AuroraNode.Bench;

/// <summary>The runner's command line: which benchmarks, and which node build.</summary>
internal sealed record BenchOptions(string Verb, string? NodePath)
{
    public const string Usage = """
        usage: AuroraNode.Bench all|node|mesh|<benchmark> [--node PATH]
          all                  every benchmark, each against its peer in the same run
          node                 startup, rss, http: one lead node
          mesh                 events-latency, events-throughput, registry: several node processes sharing the lead's Redis
          startup              start to ready on an existing data dir
          rss                  idle RSS of the node process
          http                 GET /api/v1/node under wrk
          events-latency       cross-node event delivery p50/p99, one event in flight
          events-throughput    events/s from one node to two others, CPU per 10k events, ephemeral and durable
          registry             a lead with 500 simulated nodes: GET /nodes, GET /stats, CPU per 1000 heartbeats
          failover             kill of the lead machine → first commit on the backup, 5 runs each, against Patroni + etcd
                               (needs: apt-get install patroni etcd-server; not part of "all")
          replica-visibility   commit → visible on the compute node's replica under pgbench, against bare PostgreSQL
          tokens               in-process, one thread: token validations/s and creations/s against JsonWebTokenHandler,
                               PBKDF2 password hash time (~45 s; needs no node build)
          auth                 a lead and a joined compute node: login latency, logout on the lead → refused on compute
          routing              in-process: a routing simulation (8 heterogeneous nodes, 5 traces) of the router against
                               round-robin, least-busy and an oracle; decision time per request with 50 nodes (~1 min)
          inference            tokens/s through /api/generate against libllama in-process and node-llama-cpp, two models
                               (needs packaging/fetch-llama.sh, node and npm; installs bench/clients; not part of "all")
          --node               aurora-node.dll or a published aurora-node executable
                               (default: src/AuroraNode/bin/Release/net10.0/aurora-node.dll; build it first)
        """;

    private static readonly Dictionary<string, string[]> Groups = new()
    {
        ["node"] = ["startup", "rss", "http"],
        ["mesh"] = ["events-latency", "events-throughput", "registry"],
    };

    public bool Includes(string benchmark) => (Verb == "all" && benchmark is not ("failover" or "inference")) || Verb == benchmark || (Groups.TryGetValue(Verb, out var group) && group.Contains(benchmark));

    public static BenchOptions? Parse(string[] args, IReadOnlyCollection<string> benchmarks)
    {
        var options = args switch
        {
            [] => new BenchOptions("all", null),
            [var verb] => new BenchOptions(verb, null),
            [var verb, "--node", var path] => new BenchOptions(verb, path),
            _ => null,
        };
        return options is not null && (options.Verb == "all" || Groups.ContainsKey(options.Verb) || benchmarks.Contains(options.Verb)) ? options : null;
    }
}
