using System.Net;
using System.Net.Sockets;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// A loopback TCP relay to a server, so a test can cut one node off from it (every connection closed, new ones
/// refused) while the others keep theirs, and restore the link later.
/// </summary>
public sealed class TcpProxy : IDisposable
{
    private readonly int _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;

    public TcpProxy(int targetPort)
    {
        _target = targetPort;
        Port = FreePort.Next();
        Restore();
    }

    public int Port { get; }

    public void Restore()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener);
    }

    public void Cut()
    {
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Dispose() => Cut();

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PipeAsync(inbound, outbound);
            _ = PipeAsync(outbound, inbound);
        }
    }

    private static async Task PipeAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
