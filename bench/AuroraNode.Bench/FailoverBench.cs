using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>
/// Failover time: a lead, a backup and a compute node (the default mesh: the lead runs Redis, the backup its replica,
/// all three a Sentinel), a writer committing through Npgsql's read-write multi-host target; the lead's node, its
/// PostgreSQL, Redis and Sentinel are killed with SIGKILL; the figure is kill → first commit acknowledged by the
/// backup, and no acknowledged commit may be missing there. The peer is Patroni + etcd (<see cref="PatroniCluster"/>)
/// in the same run, once with its defaults and once with our lease settings.
/// </summary>
internal static class FailoverBench
{
    private const int Runs = 5;

    // Patroni with its defaults takes over half a minute a run; three runs each keep the benchmark under a quarter of an hour.
    private const int PeerRuns = 3;

    public static async Task<IReadOnlyList<Figure>> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        var ours = await RepeatAsync("aurora defaults", () => OnceAsync(binary, LeaseSettings.AuroraDefaults, ct), ct);
        var tuned = await RepeatAsync("aurora tuned", () => OnceAsync(binary, LeaseSettings.Tuned, ct), ct);
        var patroniDefaults = await RepeatAsync("patroni defaults", () => PatroniCluster.FailoverOnceAsync(LeaseSettings.PatroniDefaults, ct), ct, PeerRuns);
        var patroniEqual = await RepeatAsync("patroni, our defaults", () => PatroniCluster.FailoverOnceAsync(LeaseSettings.AuroraDefaults, ct), ct, PeerRuns);
        var patroniTuned = await RepeatAsync("patroni, tuned", () => PatroniCluster.FailoverOnceAsync(LeaseSettings.Tuned, ct), ct, PeerRuns);
        return
        [
            Figure("failover, each with its defaults", ours, LeaseSettings.AuroraDefaults, patroniDefaults, LeaseSettings.PatroniDefaults, "≤ 10 s, no acknowledged commit lost"),
            Figure("failover, equal lease settings", ours, LeaseSettings.AuroraDefaults, patroniEqual, LeaseSettings.AuroraDefaults, "no slower than Patroni"),
            Figure("failover, tuned lease settings", tuned, LeaseSettings.Tuned, patroniTuned, LeaseSettings.Tuned, "no slower than Patroni"),
        ];
    }

    private static Figure Figure(string name, List<Outcome> ours, LeaseSettings ourSettings, List<Outcome> peer, LeaseSettings peerSettings, string target)
    {
        var value = Spread.Of(ours.Select(o => o.Seconds));
        var peerValue = Spread.Of(peer.Select(o => o.Seconds));
        var lost = ours.Sum(o => o.Lost);
        var met = lost == 0 && (target.StartsWith('≤') ? value.Median <= 10 : value.Median <= peerValue.Median);
        return new Figure(name, "s", value, $"Patroni 3.0.2 + etcd, {peerSettings}, three PostgreSQL servers, synchronous_mode", peerValue, target, met,
        [
            $"aurora: {ourSettings}; acknowledged commits lost per run: {string.Join(", ", ours.Select(o => o.Lost))}; commits acknowledged per run: {string.Join(", ", ours.Select(o => o.Acknowledged))}",
            $"aurora, the backup's log per run (seconds after the kill): {string.Join("; ", ours.Select(o => o.Timeline?.ToString() ?? "-"))}",
            $"patroni: acknowledged commits lost per run: {string.Join(", ", peer.Select(o => o.Lost))}",
        ]);
    }

    private static async Task<List<Outcome>> RepeatAsync(string what, Func<Task<Outcome>> once, CancellationToken ct, int runs = Runs)
    {
        var outcomes = new List<Outcome>();
        for (var i = 1; i <= runs; i++)
        {
            ct.ThrowIfCancellationRequested();
            var outcome = await once();
            Console.WriteLine($"  failover {what}, run {i}: {outcome.Seconds:0.00} s, {outcome.Lost} of {outcome.Acknowledged} acknowledged commits lost{(outcome.Timeline is { } t ? $"; {t}" : "")}");
            outcomes.Add(outcome);
        }

        return outcomes;
    }

    private static async Task<Outcome> OnceAsync(NodeBinary binary, LeaseSettings lease, CancellationToken ct)
    {
        var postgres = $"ttl: {lease.Ttl}s\nloop_wait: {lease.LoopWait}s\nretry_timeout: {lease.RetryTimeout}s";
        var redis = $"sentinel_down_after: {lease.SentinelDownAfter}s";
        await using var lead = new NodeProcess(binary, new NodeSetup("lead", "lead", null, Postgres: postgres, Redis: redis, LogFile: true));
        NodeProcess? backup = null, compute = null;
        try
        {
            await lead.StartAsync(ct);
            var token = await JoinTokenAsync(lead, ct);
            backup = new NodeProcess(binary, new NodeSetup("backup1", "backup", null, lead.Url, token, postgres, redis, LogFile: true));
            await backup.StartAsync(ct);
            compute = new NodeProcess(binary, new NodeSetup("compute1", "compute", null, lead.Url, token, postgres, redis + "\nsentinel: true", LogFile: true));
            await compute.StartAsync(ct);
            return await KillTheLeadAsync(lead, backup, compute, lease, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Setting up or failing over: the logs say why, kept once the nodes are disposed.
            KeepLogs(new[] { lead, backup, compute }.OfType<NodeProcess>(), "failed");
            throw;
        }
        finally
        {
            foreach (var node in new[] { compute, backup }.OfType<NodeProcess>())
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task<Outcome> KillTheLeadAsync(NodeProcess lead, NodeProcess backup, NodeProcess compute, LeaseSettings lease, CancellationToken ct)
    {
        var password = lead.Credential("postgres.superuser_password");
        await WaitUntilAsync(async () => await SyncKeyAsync(lead) == "backup1", "the backup becomes the synchronous standby", ct);
        await FailoverWriter.CreateTableAsync(lead.PostgresPort, password);

        var writer = new FailoverWriter([lead.PostgresPort, backup.PostgresPort, compute.PostgresPort], password);
        await WaitUntilAsync(() => Task.FromResult(writer.Acknowledged.Count > 50), "the writer commits", ct);
        var machine = ProcFs.Descendants(lead.Pid).Append(lead.Pid).ToList();
        var killedAt = writer.Clock.Elapsed;
        var killedWall = DateTimeOffset.UtcNow;
        foreach (var pid in machine)
        {
            Posix.Send(pid, Posix.SigKill);
        }

        await WaitUntilAsync(() => Task.FromResult(writer.FirstAcknowledgedBy(backup.PostgresPort) is not null), "the backup acknowledges a commit", ct, TimeSpan.FromSeconds(90));
        var seconds = (writer.FirstAcknowledgedBy(backup.PostgresPort)!.Value - killedAt).TotalSeconds;
        await writer.DisposeAsync();
        var lost = await writer.LostOnAsync(backup.PostgresPort, password);
        // The backup logs its promotion's end after the first commits it takes.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var timeline = FailoverTimeline.Read(Path.Combine(backup.DataDir, "logs"), killedWall);
        if (seconds > 2 * lease.Ttl)
        {
            KeepLogs([lead, backup, compute], "slow");
        }

        return new Outcome(seconds, lost, writer.Acknowledged.Count, timeline);
    }

    // A run far slower than its lease, or one that failed: its logs say why, so they outlive the run's folders.
    private static void KeepLogs(IEnumerable<NodeProcess> nodes, string why)
    {
        var folder = Path.Combine("/tmp", $"aurora-bench-failover-{why}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        foreach (var node in nodes)
        {
            node.KeepLogsIn = folder;
        }
    }

    internal static async Task<string> JoinTokenAsync(NodeProcess lead, CancellationToken ct)
    {
        using var response = await lead.Http.PostAsJsonAsync("/api/v1/join-tokens", new { uses = 2 }, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return response.IsSuccessStatusCode ? body.GetProperty("token").GetString()! : throw new BenchException($"the lead refused a join token: {body}");
    }

    internal static async Task<string?> SyncKeyAsync(NodeProcess lead)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{lead.RedisPort},password={lead.Credential("redis.password")}");
        return await redis.GetDatabase().StringGetAsync("aurora:replication:sync");
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, CancellationToken ct, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
            {
                throw new BenchException($"timed out waiting until {what}");
            }

            await Task.Delay(20, ct);
        }
    }

    internal sealed record Outcome(double Seconds, int Lost, int Acknowledged, FailoverTimeline? Timeline = null);
}

/// <summary>Leader lease settings (Patroni's names), and how fast the Sentinels fail Redis over for ours.</summary>
internal sealed record LeaseSettings(double Ttl, double LoopWait, double RetryTimeout, double SentinelDownAfter)
{
    public static readonly LeaseSettings AuroraDefaults = new(5, 1, 2, 2);
    public static readonly LeaseSettings PatroniDefaults = new(30, 10, 10, 0);
    public static readonly LeaseSettings Tuned = new(3, 0.5, 1, 1);

    public override string ToString() => $"ttl {Ttl} s, loop_wait {LoopWait} s, retry_timeout {RetryTimeout} s";
}
