using System.Diagnostics;
using Npgsql;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// A PostgreSQL server the node does not manage (for <c>postgres.managed: false</c>), started straight from the
/// installed binaries on a free port; as <c>nobody</c> when the tests run as root.
/// </summary>
public sealed class ExternalPostgres : IAsyncDisposable
{
    private readonly Process _server;

    private ExternalPostgres(Process server, int port, string password)
    {
        _server = server;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database={database};Pooling=false";

    public static async Task<ExternalPostgres> StartAsync(TempDirectory temp)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.Parse(Path.GetFileName(d))).Select(d => Path.Combine(d, "bin")).First();
        var dataDir = temp.Combine("external-pg");
        Directory.CreateDirectory(dataDir);
        var password = Guid.NewGuid().ToString("N");
        var pwFile = temp.Combine("external-pg.pw");
        await File.WriteAllTextAsync(pwFile, password);
        if (Posix.GetEuid() == 0)
        {
            Run("chown", "nobody:nogroup", dataDir, pwFile);
        }

        Run(AsUser(Path.Combine(bin, "initdb"), "-D", dataDir, "-U", "postgres", $"--pwfile={pwFile}", "--auth=scram-sha-256", "--no-instructions"));
        var port = FreePort.Next();
        var info = new ProcessStartInfo { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in AsUser(Path.Combine(bin, "postgres"), "-D", dataDir, "-c", $"port={port}", "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="))
        {
            info.ArgumentList.Add(a);
        }

        info.FileName = info.ArgumentList[0];
        info.ArgumentList.RemoveAt(0);
        var server = Process.Start(info)!;
        server.BeginErrorReadLine();
        server.BeginOutputReadLine();
        var pg = new ExternalPostgres(server, port, password);
        await pg.WaitAcceptingAsync();
        return pg;
    }

    public async ValueTask DisposeAsync()
    {
        _ = Posix.Kill(_server.Id, 2);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _server.WaitForExitAsync(cts.Token);
        _server.Dispose();
    }

    private async Task WaitAcceptingAsync()
    {
        for (var i = 0; ; i++)
        {
            try
            {
                await using var conn = new NpgsqlConnection(ConnectionString());
                await conn.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (i < 400)
            {
                await Task.Delay(50);
            }
        }
    }

    private static string[] AsUser(params string[] command) =>
        Posix.GetEuid() == 0 ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", .. command] : command;

    private static void Run(params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed: {output}");
        }
    }
}
