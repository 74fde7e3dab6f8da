using System.Diagnostics;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>
/// Events/s that one node publishes (concurrent POSTs to the lead) with delivery to two other nodes, counted in their
/// event streams, and the CPU the three node processes spend per 10k events; on an ephemeral channel and on a durable
/// one. The peer is StackExchange.Redis alone: this runner PUBLISHes the same number to two subscriber processes.
/// </summary>
internal static class EventThroughputBench
{
    private const int Events = 20_000;
    private const int WarmupEvents = 2_000;
    private const int Rounds = 2;
    private const string PeerChannel = "aurora:bench:peer";
    private static readonly string[] Receivers = ["b", "c"];

    public static async Task<IReadOnlyList<Figure>> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        Console.WriteLine($"events-throughput: a lead publishing to nodes {string.Join(" and ", Receivers)}; {EventLoad.InFlight} POSTs in flight, " +
            $"{Rounds} alternating rounds of {Events:#,0} events per channel after {WarmupEvents:#,0} warm-up");
        await using var mesh = await BenchMesh.StartAsync(binary, Receivers, ct);
        using var leadApi = mesh.Lead.Client(TimeSpan.FromSeconds(30));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(mesh.RedisConfiguration);
        await using var bareB = await BareListenerProcess.StartAsync(mesh.RedisConfiguration, PeerChannel, null, ct);
        await using var bareC = await BareListenerProcess.StartAsync(mesh.RedisConfiguration, PeerChannel, null, ct);

        var figures = new List<Figure>();
        foreach (var (channel, kind) in new[] { ("aurora:bench:throughput", "ephemeral"), ("aurora:ai:task", "durable") })
        {
            await using var streamB = await SseListener.OpenAsync(mesh[Receivers[0]].Url, channel, ct);
            await using var streamC = await SseListener.OpenAsync(mesh[Receivers[1]].Url, channel, ct);
            async Task<Round> NodeRoundAsync(int count)
            {
                var (b, c) = (streamB.Received, streamC.Received);
                var cpu = new CpuTimes(mesh.Nodes.Select(n => n.Pid).Append(Environment.ProcessId).Append(mesh.RedisServerPid));
                var start = Stopwatch.GetTimestamp();
                await EventLoad.PostAsync(leadApi, channel, count, ct);
                var (at, counts) = await Deliveries.WaitAsync([_ => Task.FromResult(streamB.Received - b), _ => Task.FromResult(streamC.Received - c)], count, ct);
                return Round.Of(count, start, at, counts.Select(n => count - n).Max(), cpu.Each());
            }

            async Task<Round> PeerRoundAsync(int count)
            {
                var (b, c) = (await bareB.CountAsync(ct), await bareC.CountAsync(ct));
                var cpu = new CpuTimes([bareB.Pid, bareC.Pid, Environment.ProcessId, mesh.RedisServerPid]);
                var start = Stopwatch.GetTimestamp();
                await EventLoad.PublishAsync(redis, PeerChannel, count);
                var (at, counts) = await Deliveries.WaitAsync([async t => await bareB.CountAsync(t) - b, async t => await bareC.CountAsync(t) - c], count, ct);
                return Round.Of(count, start, at, counts.Select(n => count - n).Max(), cpu.Each());
            }

            await NodeRoundAsync(WarmupEvents);
            await PeerRoundAsync(WarmupEvents);
            List<Round> node = [], peer = [];
            for (var i = 1; i <= Rounds; i++)
            {
                node.Add(await NodeRoundAsync(Events));
                peer.Add(await PeerRoundAsync(Events));
                Console.WriteLine($"  {kind} round {i}: node {node[^1].PerSecond:#,0} events/s, {node[^1].CpuPer10k:#,0} ms CPU/10k, lost {node[^1].Lost}; " +
                    $"bare {peer[^1].PerSecond:#,0} events/s, {peer[^1].CpuPer10k:#,0} ms CPU/10k, lost {peer[^1].Lost}");
            }

            const string Peer = "this runner PUBLISHing the same number of envelope-sized messages (16 in flight, StackExchange.Redis) to two subscriber processes (bare-listener, count only), same Redis";
            List<string> notes =
            [
                $"channel {channel} ({kind}); events/s = {Events:#,0} / (first POST → the last event in the event streams of both {string.Join(" and ", Receivers)})",
                $"events lost per round (most missing at one receiver, 10 s after its last arrival): node {string.Join(", ", node.Select(r => r.Lost))}, bare {string.Join(", ", peer.Select(r => r.Lost))}; events/s counts only what arrived",
                $"CPU per 10k events, node processes (lead, {string.Join(", ", Receivers)}; not their PostgreSQL): {Split(node, 0, 3)}; bare: the two subscriber processes and the runner's publisher: {Split(peer, 0, 3)}",
                $"also per 10k events: the runner (HTTP client, SSE parsing) {Median(node, r => r.Cpu[3]):#,0} ms in the node rounds; redis-server {Median(node, r => r.Cpu[4]):#,0} ms in the node rounds, {Median(peer, r => r.Cpu[3]):#,0} ms in the bare rounds",
                $"the load generator (this runner) shares the {Environment.ProcessorCount} cores with the three nodes, their PostgreSQL and Redis",
            ];
            if (kind == "durable")
            {
                notes.Add("durable: each node XADDs + PUBLISHes, and every node (the lead too) reads the stream with XREADGROUP and XACKs each entry; the peer stays bare Pub/Sub");
                notes.Add(await StreamStateAsync(redis, channel));
            }

            figures.Add(new Figure($"events/s, POST on lead → b and c ({kind})", "events/s", Spread.Of(node.Select(r => r.PerSecond)), Peer, Spread.Of(peer.Select(r => r.PerSecond)), "—", null, notes));
            figures.Add(new Figure($"CPU per 10k events ({kind})", "ms", Spread.Of(node.Select(r => r.CpuPer10k)), Peer + "; CPU of the subscribers and the publisher",
                Spread.Of(peer.Select(r => r.CpuPer10k)), "—", null, ["node: lead + b + c processes; see the events/s figure's notes"]));
        }

        return figures;
    }

    // A consumer group that falls more than stream_max_length behind loses what the approximate trim removed.
    private static async Task<string> StreamStateAsync(IConnectionMultiplexer redis, string channel)
    {
        var db = redis.GetDatabase();
        var groups = await db.StreamGroupInfoAsync(channel);
        return $"after the rounds: {channel} holds {await db.StreamLengthAsync(channel):#,0} entries (the node trims it to about stream_max_length); consumer groups: " +
            string.Join(", ", groups.Select(g => $"{g.Name} read {g.EntriesRead?.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, pending {g.PendingMessageCount}"));
    }

    private static double Median(List<Round> rounds, Func<Round, double> pick) => Spread.Of(rounds.Select(pick)).Median;

    private static string Split(List<Round> rounds, int from, int count) =>
        string.Join(" + ", Enumerable.Range(from, count).Select(i => $"{Median(rounds, r => r.Cpu[i]):#,0}")) + " ms";

    /// <summary>One round: events/s, events lost, and CPU per 10k events of each process watched (in the order given).</summary>
    private sealed record Round(double PerSecond, long Lost, double[] Cpu, double CpuPer10k)
    {
        // The first three processes are the measured side (three nodes, or two subscribers and the publisher).
        public static Round Of(int count, long start, long end, long lost, double[] cpuMs)
        {
            var per10k = cpuMs.Select(ms => ms * 10_000 / count).ToArray();
            return new Round((count - lost) / Stopwatch.GetElapsedTime(start, end).TotalSeconds, lost, per10k, per10k.Take(3).Sum());
        }
    }
}
