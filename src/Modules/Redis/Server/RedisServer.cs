using System.Net;
using System.Net.Sockets;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Processes;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// The node's own redis-server (persistence on, password from the credentials file), supervised: a final save
/// on stop (SIGTERM), a restart with backoff when it dies.
/// </summary>
internal sealed class RedisServer(
    RedisOptions options,
    NodeContext node,
    INodeCredentials credentials,
    ILogger<RedisServer> logger,
    TimeProvider time) : SupervisedServer("redis-server", logger, time)
{
    public const string PasswordKey = CredentialKeys.RedisPassword;

    private string _lastLine = "";

    public string Dir => Path.Combine(node.DataDir, "redis");

    protected override int StopSignal => Signals.SigTerm;

    protected override TimeSpan StopTimeout => options.StopTimeout;

    protected override string RunningDetail => $"listening on port {options.Port}";

    protected override async Task PrepareAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await StopLeftoverAsync(Path.Combine(Dir, "redis.pid"), "redis", ct);
        foreach (var address in node.ListenAddresses())
        {
            if (!PortProbe.IsFree(address, options.Port))
            {
                throw new StartupException("redis.port", $"port {options.Port} on {address} is already in use by another program; stop that program or choose another redis.port");
            }
        }
    }

    protected override ProcessSpec CreateSpec() =>
        new(options.ServerPath, [RedisConfigFile.Write(Dir, options.Port, node.ListenAddresses(), credentials.GetOrCreate(PasswordKey))], Dir);

    // redis-server lines look like "1234:M 22 Nov 2026 23:00:00.123 # message"; '#' marks warnings.
    protected override void OnOutput(string line)
    {
        _lastLine = line;
        var level = line.Contains(" # ", StringComparison.Ordinal) ? LogLevel.Warning : LogLevel.Information;
        logger.Log(level, "{RedisLine}", line);
    }

    // The shared client connection waits for PING; here it is enough that the port accepts.
    protected override async Task WaitUntilUpAsync(ChildProcess child, CancellationToken ct)
    {
        var deadline = Time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (child.Exited.IsCompleted)
            {
                throw new StartupException(null, $"redis-server exited during start with code {await child.Exited}: {_lastLine}");
            }

            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, options.Port, ct);
                return;
            }
            catch (SocketException) when (Time.GetUtcNow() < deadline)
            {
                await Task.Delay(25, ct);
            }
            catch (SocketException ex)
            {
                throw new StartupException(null, $"redis-server did not listen on port {options.Port} within 30 s: {ex.Message}");
            }
        }
    }
}
