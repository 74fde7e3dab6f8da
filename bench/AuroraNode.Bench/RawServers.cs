using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AuroraNode.Bench;

/// <summary>
/// The peer of start-up: the node's own PostgreSQL data dir and redis.conf started by hand, without the node:
/// <c>pg_ctl start -w</c> (as the node's OS user when root) and redis-server until it answers PING.
/// </summary>
internal static class RawServers
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    /// <summary>pg_ctl's own figure, and when postmaster.pid first said "ready" (pg_ctl looks only every 100 ms).</summary>
    public sealed record PostgresStart(TimeSpan PgCtl, TimeSpan? PidFileReady);

    public static async Task<PostgresStart> StartAndStopPostgresAsync(NodeProcess node, CancellationToken ct)
    {
        var dataDir = node.PostgresDataDir;
        var pidFile = Path.Combine(dataDir, "postmaster.pid");
        if (File.Exists(pidFile))
        {
            throw new BenchException($"{pidFile} exists: the node's PostgreSQL is still running; it must be stopped before the raw start");
        }

        // The same server options the node passes (src/Modules/Postgres/Server/PostgresServer.cs).
        var options = $"-c port={node.PostgresPort} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c logging_collector=off";
        var log = Path.Combine(dataDir, "bench-pg_ctl.log");
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        var ready = WaitForReadyLineAsync(pidFile, clock, watching.Token);
        try
        {
            var (code, output) = await Command.RunAsync(Posix.AsPostgresUser(PgCtl, "start", "-w", "-t", "60", "-D", dataDir, "-l", log, "-o", options), ct);
            var elapsed = clock.Elapsed;
            if (code != 0)
            {
                throw new BenchException($"pg_ctl start failed with code {code}: {output}\n{LogTail(log)}");
            }

            watching.CancelAfter(TimeSpan.FromMilliseconds(200));
            return new PostgresStart(elapsed, await ready);
        }
        finally
        {
            await watching.CancelAsync();
            await StopPostgresAsync(dataDir, pidFile);
        }
    }

    /// <summary>Time from spawn until redis-server answers PING (with -NOAUTH: it has a password, and is serving).</summary>
    public static async Task<TimeSpan> StartAndStopRedisAsync(NodeProcess node, CancellationToken ct)
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(node.RedisConf);
        var output = new OutputTail();
        var clock = Stopwatch.StartNew();
        using var server = Process.Start(info)!;
        output.Attach(server);
        try
        {
            while (!await AnswersPingAsync(node.RedisPort, ct))
            {
                if (server.HasExited)
                {
                    throw new BenchException($"redis-server exited with code {server.ExitCode}:\n{output}");
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new BenchException($"redis-server did not answer within 30 s:\n{output}");
                }

                await Task.Delay(PollInterval, ct);
            }

            return clock.Elapsed;
        }
        finally
        {
            await server.StopAsync(Posix.SigTerm, StopGrace);
        }
    }

    private static string PgCtl => Path.Combine(Repo.PostgresBin, "pg_ctl");


    // postmaster.pid line 8 is the postmaster's status; "ready" is what pg_ctl -w waits for.
    private static async Task<TimeSpan?> WaitForReadyLineAsync(string pidFile, Stopwatch clock, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var stream = new FileStream(pidFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                var lines = (await reader.ReadToEndAsync(CancellationToken.None)).Split('\n');
                if (lines.Length > 7 && lines[7].Trim() == "ready")
                {
                    return clock.Elapsed;
                }
            }
            catch (IOException)
            {
                // Not written yet.
            }

            try
            {
                await Task.Delay(PollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return null;
    }

    private static async Task StopPostgresAsync(string dataDir, string pidFile)
    {
        if (!File.Exists(pidFile))
        {
            return;
        }

        var (code, output) = await Command.RunAsync(Posix.AsPostgresUser(PgCtl, "stop", "-w", "-t", "30", "-m", "fast", "-D", dataDir), CancellationToken.None);
        if (code != 0 && File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid))
        {
            Posix.Send(pid, Posix.SigKill);
            Console.Error.WriteLine($"warning: pg_ctl stop failed ({output}); killed the postmaster {pid}");
        }
    }

    private static async Task<bool> AnswersPingAsync(int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"), ct);
            return await stream.ReadAsync(new byte[64], ct) > 0;
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
    }

    private static string LogTail(string log) =>
        File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10).Select(l => $"  | {l}")) : "";
}
