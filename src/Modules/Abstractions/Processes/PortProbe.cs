using System.Net;
using System.Net.Sockets;

namespace AuroraNode.Modules.Processes;

/// <summary>Checks that a TCP port can be bound before a server is started on it.</summary>
public static class PortProbe
{
    /// <summary>Throws a <see cref="StartupException"/> naming <paramref name="key"/> when <paramref name="port"/> is taken on any of <paramref name="hosts"/>.</summary>
    public static void EnsureFree(IEnumerable<string> hosts, int port, string key)
    {
        foreach (var host in hosts)
        {
            if (!IsFree(host, port))
            {
                throw new StartupException(key, $"port {port} on {host} is already in use by another program; stop that program or choose another {key}");
            }
        }
    }

    /// <summary>True when <paramref name="port"/> can be bound on <paramref name="host"/> (an IP address; names mean all addresses).</summary>
    public static bool IsFree(string host, int port)
    {
        var address = IPAddress.TryParse(host, out var ip) ? ip : IPAddress.Any;
        try
        {
            using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
