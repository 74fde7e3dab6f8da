using System.Net;

namespace AuroraNode.Tests.Auth;

/// <summary>Asks a Redis server or Sentinel on loopback, over a bare socket, whether it takes a password.</summary>
internal static class RedisPassword
{
    public static async Task<bool> AcceptedAsync(int port, string password)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"*2\r\n$4\r\nAUTH\r\n${password.Length}\r\n{password}\r\n"));
        var buffer = new byte[256];
        var read = await stream.ReadAsync(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+OK", StringComparison.Ordinal);
    }
}
