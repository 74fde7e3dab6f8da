using System.Net;
using System.Net.Sockets;
using AuroraNode.Modules.Processes;

namespace AuroraNode.Modules.Redis.Server;

/// <summary>Waits until a just-started server accepts TCP connections on its port (the client connection waits for PING).</summary>
internal static class ListeningPort
{
    public static async Task WaitAsync(ChildProcess child, string server, int port, Func<string> lastLine, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (child.Exited.IsCompleted)
            {
                throw new StartupException(null, $"{server} exited during start with code {await child.Exited}: {lastLine()}");
            }

            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                return;
            }
            catch (SocketException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(25, ct);
            }
            catch (SocketException ex)
            {
                throw new StartupException(null, $"{server} did not listen on port {port} within 30 s: {ex.Message}");
            }
        }
    }
}
