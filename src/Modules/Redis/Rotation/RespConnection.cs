using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace AuroraNode.Modules.Redis.Rotation;

/// <summary>
/// One short plain-RESP connection to a redis-server or a Sentinel, for the few admin commands a rotation sends
/// (CONFIG SET, SENTINEL SET, ACL SETUSER, CLIENT LIST/KILL). The shared client can't send them to a Sentinel: its
/// Sentinel command map leaves ACL and CONFIG out.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly TcpClient _tcp;
    private readonly BufferedStream _stream;

    private RespConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = new BufferedStream(tcp.GetStream());
    }

    /// <summary>Connects to <paramref name="endpoint"/> (host:port) and authenticates with the first of <paramref name="passwords"/> it accepts; null when it accepts none.</summary>
    public static async Task<(RespConnection? Connection, int PasswordIndex)> OpenAsync(string endpoint, IReadOnlyList<string> passwords, CancellationToken ct)
    {
        var colon = endpoint.LastIndexOf(':');
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                connect.CancelAfter(Timeout);
                await tcp.ConnectAsync(endpoint[..colon].Trim('[', ']'), int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture), connect.Token);
            }

            var connection = new RespConnection(tcp);
            for (var i = 0; i < passwords.Count; i++)
            {
                if (await connection.SendAsync(ct, "AUTH", passwords[i]) is "OK")
                {
                    return (connection, i);
                }
            }

            await connection.DisposeAsync();
            return (null, -1);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command; the reply is a string, a long, an array (object?[]), null, or a <see cref="RespError"/>.</summary>
    public async Task<object?> SendAsync(CancellationToken ct, params string[] args)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
        foreach (var arg in args)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
        await _stream.FlushAsync(timeout.Token);
        return await ReadAsync(timeout.Token);
    }

    /// <summary>Sends one command and throws <see cref="IOException"/> unless the server answers +OK.</summary>
    public async Task OkAsync(CancellationToken ct, params string[] args)
    {
        var reply = await SendAsync(ct, args);
        if (reply is not "OK")
        {
            // The command's name only: its arguments may be a password.
            throw new IOException($"{args[0]} {(args.Length > 1 ? args[1] : "")} answered {(reply is RespError e ? e.Message : reply?.ToString() ?? "nil")}");
        }
    }

    private async Task<object?> ReadAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct);
        var rest = line[1..];
        switch (line[0])
        {
            case '+':
                return rest;
            case '-':
                return new RespError(rest);
            case ':':
                return long.Parse(rest, CultureInfo.InvariantCulture);
            case '$':
                var length = int.Parse(rest, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var bytes = new byte[length + 2];
                await _stream.ReadExactlyAsync(bytes, ct);
                return Encoding.UTF8.GetString(bytes, 0, length);
            case '*':
                var count = int.Parse(rest, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }

                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = await ReadAsync(ct);
                }

                return items;
            default:
                throw new IOException($"unexpected RESP reply type '{line[0]}'");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var bytes = new List<byte>(64);
        var one = new byte[1];
        while (true)
        {
            await _stream.ReadExactlyAsync(one, ct);
            if (one[0] == '\n' && bytes.Count > 0 && bytes[^1] == '\r')
            {
                return Encoding.UTF8.GetString(bytes.ToArray(), 0, bytes.Count - 1);
            }

            bytes.Add(one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}

/// <summary>An error reply (<c>-ERR ...</c>).</summary>
internal sealed record RespError(string Message);
