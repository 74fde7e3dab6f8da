using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace AuroraNode.Bench;

/// <summary>The peer for start-up: the same PostgreSQL and Redis on the node's own data dir, started by hand, without the node.</summary>
internal static class RawServers
{
    /// <summary>Time from spawn until PostgreSQL accepts a login.</summary>
    public static async Task<TimeSpan> StartAndStopPostgresAsync(BenchNode node)
    {
        var password = Credentials(node)["postgres.superuser_password"];
        string[] command = [Path.Combine(Repo.PostgresBin, "postgres"), "-D", Path.Combine(node.DataDir, "postgres"), "-c", $"port={node.PostgresPort}", "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="];
        if (BenchNode.GetEuid() == 0)
        {
            command = ["setpriv", "--reuid=aurora", "--regid=aurora", "--init-groups", "--", .. command];
        }

        var clock = Stopwatch.StartNew();
        using var server = Start(command);
        var cs = $"Host=127.0.0.1;Port={node.PostgresPort};Username=postgres;Password={password};Database=postgres;Pooling=false;Timeout=2";
        while (true)
        {
            try
            {
                await using var conn = new NpgsqlConnection(cs);
                await conn.OpenAsync();
                break;
            }
            catch (NpgsqlException)
            {
                await Task.Delay(10);
            }
        }

        var elapsed = clock.Elapsed;
        _ = BenchNode.Kill(server.Id, 2);
        await server.WaitForExitAsync();
        return elapsed;
    }

    /// <summary>Time from spawn until redis-server answers on its port.</summary>
    public static async Task<TimeSpan> StartAndStopRedisAsync(BenchNode node)
    {
        var clock = Stopwatch.StartNew();
        using var server = Start(["redis-server", Path.Combine(node.DataDir, "redis", "redis.conf")]);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", node.RedisPort);
                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"));
                if (await stream.ReadAsync(new byte[64]) > 0)
                {
                    break;
                }
            }
            catch (SocketException)
            {
                await Task.Delay(10);
            }
        }

        var elapsed = clock.Elapsed;
        _ = BenchNode.Kill(server.Id, 15);
        await server.WaitForExitAsync();
        return elapsed;
    }

    private static Dictionary<string, string> Credentials(BenchNode node) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(node.DataDir, "credentials")))!;

    private static Process Start(string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        var p = Process.Start(info)!;
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }
}
