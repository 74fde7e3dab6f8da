using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Processes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// Runs the node's own redis-server as a child process (persistence on, password from the credentials file),
/// stops it with a final save on shutdown and restarts it with backoff when it dies.
/// </summary>
internal sealed partial class RedisServer(
    RedisOptions options,
    NodeContext node,
    INodeCredentials credentials,
    ILogger<RedisServer> logger,
    TimeProvider time) : IHostedService, IDisposable
{
    public const string PasswordKey = "redis.password";

    private static readonly Meter Meter = new("AuroraNode.Redis");
    private static readonly Counter<long> RestartCounter = Meter.CreateCounter<long>("aurora_redis_restarts", description: "Times the managed redis-server was restarted after it died.");

    private readonly CancellationTokenSource _stopping = new();
    private readonly RestartBackoff _backoff = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
    private ChildProcess? _child;
    private Task _watch = Task.CompletedTask;
    private string _lastLine = "";

    public ModuleState State { get; private set; } = ModuleState.Starting;

    public string StateDetail { get; private set; } = "starting";

    public int? Pid => _child is { Exited.IsCompleted: false } c ? c.Pid : null;

    public int Restarts => _backoff.Restarts;

    public string Dir => Path.Combine(node.DataDir, "redis");

    public async Task StartAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var leftover = await LeftoverProcess.StopAsync(Path.Combine(Dir, "redis.pid"), "redis", Signals.SigTerm, options.StopTimeout, ct);
        if (leftover is { } pid)
        {
            LogLeftoverStopped(pid);
        }

        foreach (var address in Bind())
        {
            if (!PortProbe.IsFree(address, options.Port))
            {
                throw new StartupException("redis.port", $"port {options.Port} on {address} is already in use by another program; stop that program or choose another redis.port");
            }
        }

        await StartServerAsync(ct);
        _watch = WatchAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        if (_child is { } child)
        {
            State = ModuleState.Stopped;
            StateDetail = "stopped";
            var clean = await child.StopAsync(Signals.SigTerm, options.StopTimeout);
            LogStopped(clean ? "cleanly" : "by kill after the stop timeout");
        }

        await _watch;
    }

    public void Dispose()
    {
        _child?.Dispose();
        _stopping.Dispose();
    }

    private IEnumerable<string> Bind()
    {
        yield return "127.0.0.1";
        if (IPAddress.TryParse(node.AdvertiseAddress, out var ip) && !IPAddress.IsLoopback(ip) && !ip.Equals(IPAddress.Any))
        {
            yield return node.AdvertiseAddress;
        }
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        StateDetail = "starting server";
        var conf = RedisConfigFile.Write(Dir, options.Port, Bind(), credentials.GetOrCreate(PasswordKey));
        _child?.Dispose();
        _child = ChildProcess.Start(new ProcessSpec(options.ServerPath, [conf], Dir), Line);
        await WaitUntilListeningAsync(_child, ct);
        State = ModuleState.Running;
        StateDetail = $"listening on port {options.Port}";
        LogRunning(_child.Pid, options.Port);
    }

    // The shared client connection waits for PING; here it is enough that the port accepts.
    private async Task WaitUntilListeningAsync(ChildProcess child, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
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
            catch (SocketException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(25, ct);
            }
            catch (SocketException ex)
            {
                throw new StartupException(null, $"redis-server did not listen on port {options.Port} within 30 s: {ex.Message}");
            }
        }
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && _child is { } child)
        {
            var started = time.GetUtcNow();
            int code;
            try
            {
                code = await child.Exited.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            State = ModuleState.Failed;
            var delay = _backoff.Next(time.GetUtcNow() - started);
            StateDetail = $"exited with code {code}, restarting in {delay.TotalSeconds:0}s";
            LogDied(code, delay.TotalSeconds);
            RestartCounter.Add(1);
            try
            {
                await Task.Delay(delay, time, ct);
                await StartServerAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is StartupException or IOException)
            {
                LogRestartFailed(ex.Message);
            }
        }
    }

    // redis-server lines look like "1234:M 22 Nov 2026 23:00:00.123 # message"; '#' marks warnings.
    private void Line(string line)
    {
        _lastLine = line;
        var level = line.Contains(" # ", StringComparison.Ordinal) ? LogLevel.Warning : LogLevel.Information;
        logger.Log(level, "{RedisLine}", line);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped redis-server (pid {Pid}) left running by an earlier node process")]
    private partial void LogLeftoverStopped(int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "redis-server running (pid {Pid}, port {Port})")]
    private partial void LogRunning(int pid, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "redis-server exited with code {Code}; restarting in {DelaySeconds} s")]
    private partial void LogDied(int code, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "redis-server restart failed: {Reason}")]
    private partial void LogRestartFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "redis-server stopped {How}")]
    private partial void LogStopped(string how);
}
