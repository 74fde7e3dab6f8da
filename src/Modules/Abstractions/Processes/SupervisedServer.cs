using System.Diagnostics.Metrics;
using AuroraNode.Modules.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Processes;

/// <summary>
/// A server the node runs as a child process (PostgreSQL, Redis, later Sentinel): prepared and started when the
/// node starts, restarted with backoff whenever it dies, stopped with its own clean-stop signal on shutdown.
/// Start-up problems are thrown as <see cref="StartupException"/> so the node exits with one line.
/// </summary>
public abstract partial class SupervisedServer : IHostedService, IDisposable
{
    private static readonly Meter Meter = new("aurora");
    private static readonly Counter<long> RestartCounter = Meter.CreateCounter<long>(
        "server_restarts", description: "Times a server the node runs was restarted after it died.");

    private readonly CancellationTokenSource _stopping = new();
    private readonly RestartBackoff _backoff = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _cycle = new(1, 1);
    private ChildProcess? _child;
    private TaskCompletionSource? _held;
    private Task _watch = Task.CompletedTask;

    /// <summary>Creates the supervisor.</summary>
    /// <param name="displayName">The server's name in messages, e.g. <c>PostgreSQL</c>.</param>
    /// <param name="logger">The owning module's logger (its category tags the log lines with the module).</param>
    /// <param name="time">The clock.</param>
    protected SupervisedServer(string displayName, ILogger logger, TimeProvider time)
    {
        DisplayName = displayName;
        _logger = logger;
        Time = time;
    }

    /// <summary>The clock.</summary>
    protected TimeProvider Time { get; }

    /// <summary>The server's name in messages.</summary>
    public string DisplayName { get; }

    /// <summary>The server's state.</summary>
    public ModuleState State { get; private set; } = ModuleState.Starting;

    /// <summary>One line about the state, e.g. "exited with code 1, restarting in 2s".</summary>
    public string StateDetail { get; protected set; } = "starting";

    /// <summary>The running server's process id, or null while it is down.</summary>
    public int? Pid => _child is { Exited.IsCompleted: false } c ? c.Pid : null;

    /// <summary>Restarts after the server died.</summary>
    public int Restarts => _backoff.Restarts;

    /// <summary>The signal that asks the server for a clean stop.</summary>
    protected abstract int StopSignal { get; }

    /// <summary>How long a clean stop may take before the server is killed.</summary>
    protected abstract TimeSpan StopTimeout { get; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken ct)
    {
        await PrepareAsync(ct);
        await StartServerAsync(ct);
        await AfterFirstStartAsync(ct);
        _watch = WatchAsync(_stopping.Token);
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        if (_child is { } child)
        {
            BeforeStop();
            State = ModuleState.Stopped;
            StateDetail = "stopped";
            var clean = await child.StopAsync(StopSignal, StopTimeout);
            LogStopped(_logger, DisplayName, clean ? "cleanly" : "by kill after the stop timeout");
        }

        await _watch;
    }

    /// <summary>
    /// Stops the server with <paramref name="signal"/> and keeps it down (it is not restarted) until
    /// <see cref="ResumeAsync"/>: a primary that must stop taking writes, a data directory about to be rewound.
    /// </summary>
    /// <param name="signal">The stop signal, e.g. PostgreSQL's immediate shutdown.</param>
    /// <param name="detail">The state detail while it is held down.</param>
    protected async Task HoldDownAsync(int signal, string detail)
    {
        await _cycle.WaitAsync();
        try
        {
            _held ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            State = ModuleState.Starting;
            StateDetail = detail;
            if (_child is { } child)
            {
                BeforeStop();
                await child.StopAsync(signal, StopTimeout);
            }
        }
        finally
        {
            _cycle.Release();
        }
    }

    /// <summary>True while the server is held down by <see cref="HoldDownAsync"/>.</summary>
    protected bool IsHeldDown => _held is not null;

    /// <summary>
    /// Runs <paramref name="beforeStart"/> with the server down, then starts it again and ends the hold. When either
    /// throws, the server stays held down for the caller to try again.
    /// </summary>
    protected async Task ResumeAsync(Func<CancellationToken, Task> beforeStart, CancellationToken ct)
    {
        await _cycle.WaitAsync(ct);
        try
        {
            await beforeStart(ct);
            await StartServerAsync(ct);
            _held?.TrySetResult();
            _held = null;
        }
        finally
        {
            _cycle.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _child?.Dispose();
        _cycle.Dispose();
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Checks and one-time work before the first start (leftover servers, ports, initdb).</summary>
    protected abstract Task PrepareAsync(CancellationToken ct);

    /// <summary>How to start the server; called for every (re)start.</summary>
    protected abstract ProcessSpec CreateSpec();

    /// <summary>Returns when the server accepts clients; throws <see cref="StartupException"/> if it can't.</summary>
    protected abstract Task WaitUntilUpAsync(ChildProcess child, CancellationToken ct);

    /// <summary>One line of the server's output.</summary>
    protected abstract void OnOutput(string line);

    /// <summary>One-time work once the server first accepts clients (roles, databases).</summary>
    protected virtual Task AfterFirstStartAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Called just before the server is asked to stop (e.g. to close this node's own idle connections).</summary>
    protected virtual void BeforeStop()
    {
    }

    /// <summary>The state detail while running, e.g. "accepting connections on port 5433".</summary>
    protected abstract string RunningDetail { get; }

    /// <summary>Stops a server left running by a node killed with SIGKILL, found through its pid file.</summary>
    protected async Task StopLeftoverAsync(string pidFile, string processName, CancellationToken ct)
    {
        if (await LeftoverProcess.StopAsync(pidFile, processName, StopSignal, StopTimeout, ct) is { } pid)
        {
            LogLeftoverStopped(_logger, DisplayName, pid);
        }
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        StateDetail = "starting server";
        _child?.Dispose();
        _child = ChildProcess.Start(CreateSpec(), OnOutput);
        await WaitUntilUpAsync(_child, ct);
        State = ModuleState.Running;
        StateDetail = RunningDetail;
        LogRunning(_logger, DisplayName, _child.Pid);
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && _child is { } child)
        {
            var started = Time.GetUtcNow();
            int code;
            try
            {
                code = await child.Exited.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Stopped on purpose: the one who holds it down starts it again.
            if (_held is { } held)
            {
                try
                {
                    await held.Task.WaitAsync(ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            State = ModuleState.Failed;
            var delay = _backoff.Next(Time.GetUtcNow() - started);
            StateDetail = $"exited with code {code}, restarting in {delay.TotalSeconds:0}s";
            LogDied(_logger, DisplayName, code, delay.TotalSeconds);
            RestartCounter.Add(1, new KeyValuePair<string, object?>("server", DisplayName));
            try
            {
                await Task.Delay(delay, Time, ct);
                await StartServerAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is StartupException or IOException or System.Data.Common.DbException)
            {
                LogRestartFailed(_logger, DisplayName, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped {Server} (pid {Pid}) left running by an earlier node process")]
    private static partial void LogLeftoverStopped(ILogger logger, string server, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Server} running (pid {Pid})")]
    private static partial void LogRunning(ILogger logger, string server, int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Server} exited with code {Code}; restarting in {DelaySeconds} s")]
    private static partial void LogDied(ILogger logger, string server, int code, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Server} restart failed: {Reason}")]
    private static partial void LogRestartFailed(ILogger logger, string server, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Server} stopped {How}")]
    private static partial void LogStopped(ILogger logger, string server, string how);
}
