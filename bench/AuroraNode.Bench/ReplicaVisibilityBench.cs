using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>
/// Commit → visible on an asynchronous replica under pgbench load: the default mesh (a lead, its synchronous backup,
/// a compute replica) against the same topology in bare PostgreSQL (<see cref="BarePostgresCluster"/>), in rounds
/// that alternate between the two; in each round pgbench loads the primary while <see cref="VisibilityProbe"/>
/// commits on it and watches the replica.
/// </summary>
internal static class ReplicaVisibilityBench
{
    private const int Rounds = 3;
    private const double TargetP99Ms = 50;
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(8);

    public static async Task<IReadOnlyList<Figure>> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        await using var lead = new NodeProcess(binary, new NodeSetup("lead", "lead", null));
        await lead.StartAsync(ct);
        var token = await FailoverBench.JoinTokenAsync(lead, ct);
        await using var backup = new NodeProcess(binary, new NodeSetup("backup1", "backup", null, lead.Url, token));
        await backup.StartAsync(ct);
        await using var compute = new NodeProcess(binary, new NodeSetup("compute1", "compute", null, lead.Url, token));
        await compute.StartAsync(ct);
        await FailoverBench.WaitUntilAsync(async () => await FailoverBench.SyncKeyAsync(lead) == "backup1", "the backup becomes the synchronous standby", ct);
        await FailoverBench.WaitUntilAsync(async () => await StateAsync(compute, ct) == "streaming", "the compute node's replica streams", ct);
        var password = lead.Credential("postgres.superuser_password");
        var ours = new System(
            $"host=127.0.0.1 port={lead.PostgresPort} user=postgres password={password} dbname=postgres",
            $"Host=127.0.0.1;Port={lead.PostgresPort};Username=postgres;Password={password};Database=postgres;Pooling=false;Timeout=10",
            $"Host=127.0.0.1;Port={compute.PostgresPort};Username=postgres;Password={password};Database=postgres;Pooling=false;Timeout=10");

        await using var bare = await BarePostgresCluster.StartAsync(ct);
        var peer = new System(BarePostgresCluster.Conninfo(bare.PrimaryPort), BarePostgresCluster.ConnectionString(bare.PrimaryPort), BarePostgresCluster.ConnectionString(bare.ReplicaPort));

        await PgBench.InitializeAsync(ours.Conninfo, ct);
        await PgBench.InitializeAsync(peer.Conninfo, ct);
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var (name, system) in new[] { ("aurora", ours), ("bare", peer) })
            {
                var (samples, tps) = await RoundAsync(system, ct);
                system.Samples.AddRange(samples);
                system.P50.Add(Percentile.Of(samples, 50));
                system.P99.Add(Percentile.Of(samples, 99));
                system.Tps.Add(tps);
                Console.WriteLine($"  replica visibility {name}, round {round}: p50/p99 {Percentile.Of(samples, 50):0.00}/{Percentile.Of(samples, 99):0.00} ms, {samples.Count} samples, pgbench {tps:0} tps");
            }
        }

        const string Peer = "bare PostgreSQL 15 in the same topology (primary, synchronous standby, asynchronous replica), same load";
        string[] notes =
        [
            $"load: {PgBench.Describe} on the primary; probe: one committed row at a time, polled on the asynchronous replica (the compute node's) until visible",
            $"aurora, all samples: {Percentile.Summary(ours.Samples)}; pgbench tps per round: {string.Join(", ", ours.Tps.Select(t => t.ToString("0")))}",
            $"bare, all samples: {Percentile.Summary(peer.Samples)}; pgbench tps per round: {string.Join(", ", peer.Tps.Select(t => t.ToString("0")))}",
        ];
        var p99 = Spread.Of(ours.P99);
        return
        [
            new Figure("commit → visible on a replica p50, under pgbench", "ms", Spread.Of(ours.P50), Peer, Spread.Of(peer.P50), "—", null, notes)
            {
                Samples = new Dictionary<string, IReadOnlyList<double>> { ["aurora"] = ours.Samples, ["bare"] = peer.Samples },
            },
            new Figure("commit → visible on a replica p99, under pgbench", "ms", p99, Peer, Spread.Of(peer.P99), $"p99 < {TargetP99Ms:0} ms", p99.Median < TargetP99Ms, ["see the p50 figure's notes"]),
        ];
    }

    private static async Task<(List<double> Samples, double Tps)> RoundAsync(System system, CancellationToken ct)
    {
        var load = PgBench.RunAsync(system.Conninfo, Load, ct);
        await Task.Delay(WarmUp, ct);
        var samples = await VisibilityProbe.SampleAsync(system.Primary, system.Replica, Probe, ct);
        return (samples, await load);
    }

    private static async Task<string?> StateAsync(NodeProcess node, CancellationToken ct)
    {
        using var response = await node.Http.GetAsync("/api/v1/replication", ct);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("state").GetString() : null;
    }

    private sealed record System(string Conninfo, string Primary, string Replica)
    {
        public List<double> Samples { get; } = [];

        public List<double> P50 { get; } = [];

        public List<double> P99 { get; } = [];

        public List<double> Tps { get; } = [];
    }
}
