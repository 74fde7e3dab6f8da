namespace AuroraNode.Bench;

/// <summary>Idle resident memory of the node's own process (not its PostgreSQL and Redis), against a bare Kestrel process.</summary>
internal static class RssBench
{
    private const double TargetMiB = 120e6 / (1 << 20); // 120 MB
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    public static async Task<Figure> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        Console.WriteLine($"rss: the node and a bare Kestrel process, {Idle.TotalSeconds:0} s idle after ready, then VmRSS of each");
        await using var node = new NodeProcess(binary);
        await node.StartAsync(ct);
        await using var bare = await BareKestrelProcess.StartAsync(ct);
        await Task.Delay(Idle, ct);

        var nodeRss = ProcFs.RssMiB(node.Pid);
        var bareRss = ProcFs.RssMiB(bare.Pid);
        var servers = ProcFs.Descendants(node.Pid);
        return new Figure(
            "idle RSS of the node process", "MiB", Spread.One(nodeRss),
            "a bare Kestrel process (this runner's bare-kestrel), idle as long",
            Spread.One(bareRss), $"<= 120 MB ({TargetMiB:0.#} MiB)", nodeRss <= TargetMiB,
            [
                $"PSS: node {ProcFs.PssMiB(node.Pid):0.#} MiB, bare Kestrel {ProcFs.PssMiB(bare.Pid):0.#} MiB",
                $"the node's PostgreSQL and Redis ({servers.Count} processes, not counted above): RSS sum {ProcFs.Sum(servers, ProcFs.RssMiB):0.#} MiB, " +
                $"PSS sum {ProcFs.Sum(servers, ProcFs.PssMiB):0.#} MiB (PSS counts shared memory once)",
                "both processes run with the Web SDK's default server GC",
            ]);
    }
}
