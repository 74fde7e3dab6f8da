using System.Net;
using System.Net.Sockets;

namespace AuroraNode.Modules.Processes;

/// <summary>Checks that a TCP port can be bound before a server is started on it.</summary>
public static class PortProbe
{
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
