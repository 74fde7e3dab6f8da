using System.Diagnostics;
using System.Net.Sockets;

namespace AuroraNode.Tests.TestKit;

/// <summary>A redis-server the node does not manage (for <c>redis.url</c>), on a free port with a password.</summary>
public sealed class ExternalRedis : IAsyncDisposable
{
    private readonly Process _server;

    private ExternalRedis(Process server, int port, string password)
    {
        _server = server;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    public string Url => $"redis://:{Password}@127.0.0.1:{Port}";

    public static Task<ExternalRedis> StartAsync(TempDirectory temp) => StartAsync(temp, FreePort.Next(), Guid.NewGuid().ToString("N"));

    /// <summary>A new server on the same port with the same password, as after a Redis restart.</summary>
    public static Task<ExternalRedis> RestartAsync(TempDirectory temp, ExternalRedis old) => StartAsync(temp, old.Port, old.Password);

    private static async Task<ExternalRedis> StartAsync(TempDirectory temp, int port, string password)
    {
        var dir = temp.Combine("external-redis");
        Directory.CreateDirectory(dir);
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no", "--dir", dir })
        {
            info.ArgumentList.Add(a);
        }

        var server = Process.Start(info)!;
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        for (var i = 0; ; i++)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return new ExternalRedis(server, port, password);
            }
            catch (SocketException) when (i < 200)
            {
                await Task.Delay(25);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server.HasExited)
        {
            return;
        }

        _server.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
    }
}
