using System.Diagnostics.Metrics;
using System.Net;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Processes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>
/// Runs the node's own PostgreSQL as a child process: initdb on first start, a clean stop on shutdown, and a
/// restart with backoff whenever it dies. A server left running by a node killed with SIGKILL is stopped first.
/// </summary>
internal sealed partial class PostgresServer(
    PostgresOptions options,
    NodeContext node,
    INodeCredentials credentials,
    ILogger<PostgresServer> logger,
    TimeProvider time) : IHostedService, IDisposable
{
    public const string SuperuserPasswordKey = "postgres.superuser_password";
    public const string ReplicationPasswordKey = "postgres.replication_password";

    private static readonly Meter Meter = new("AuroraNode.Postgres");
    private static readonly Counter<long> RestartCounter = Meter.CreateCounter<long>("aurora_postgres_restarts", description: "Times the managed PostgreSQL was restarted after it died.");

    private readonly CancellationTokenSource _stopping = new();
    private readonly RestartBackoff _backoff = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
    private readonly PostgresLog _log = new(logger);
    private ChildProcess? _child;
    private Task _watch = Task.CompletedTask;

    public ModuleState State { get; private set; } = ModuleState.Starting;

    public string StateDetail { get; private set; } = "starting";

    public int? Pid => _child is { Exited.IsCompleted: false } c ? c.Pid : null;

    public int Restarts => _backoff.Restarts;

    public string DataDir => Path.Combine(node.DataDir, "postgres");

    public async Task StartAsync(CancellationToken ct)
    {
        CheckDataDirVersion();
        var leftover = await LeftoverProcess.StopAsync(Path.Combine(DataDir, "postmaster.pid"), "postgres", Signals.SigInt, options.StopTimeout, ct);
        if (leftover is { } pid)
        {
            LogLeftoverStopped(pid);
        }

        CheckPortsFree();
        var user = ClusterInitializer.RunAsUser(options);
        if (user is not null)
        {
            PrepareOsUser(user);
        }

        if (!File.Exists(Path.Combine(DataDir, "PG_VERSION")))
        {
            StateDetail = "initdb";
            LogInitializing(DataDir);
            await ClusterInitializer.InitializeAsync(options, DataDir, credentials.GetOrCreate(SuperuserPasswordKey), _log, ct);
        }

        await StartServerAsync(ct);
        await BootstrapAsync(ct);
        _watch = WatchAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        if (_child is { } child)
        {
            State = ModuleState.Stopped;
            StateDetail = "stopped";
            var clean = await child.StopAsync(Signals.SigInt, options.StopTimeout);
            LogStopped(clean ? "cleanly" : "by kill after the stop timeout");
        }

        await _watch;
    }

    public void Dispose()
    {
        _child?.Dispose();
        _stopping.Dispose();
    }

    public NpgsqlConnectionStringBuilder AdminConnection(string database) => new()
    {
        Host = "127.0.0.1",
        Port = options.Port,
        Username = "postgres",
        Password = credentials.GetOrCreate(SuperuserPasswordKey),
        Database = database,
        Timeout = 3,
        Pooling = false,
    };

    private void CheckDataDirVersion()
    {
        var versionFile = Path.Combine(DataDir, "PG_VERSION");
        if (File.Exists(versionFile))
        {
            var text = File.ReadAllText(versionFile).Trim();
            if (!int.TryParse(text, out var major) || major != options.MajorVersion)
            {
                throw new StartupException("postgres.bin_dir", $"{DataDir} was created by PostgreSQL {text}, but {options.BinDir} holds PostgreSQL {options.MajorVersion}; point postgres.bin_dir at PostgreSQL {text}'s binaries, or upgrade the data with pg_upgrade (the data directory was not touched)");
            }
        }
        else if (Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any())
        {
            throw new StartupException("node.data_dir", $"{DataDir} exists and is not empty, but it is not a PostgreSQL data directory (no PG_VERSION); move it away so the node can create its own (it was not touched)");
        }
    }

    private void CheckPortsFree()
    {
        foreach (var address in ListenAddresses())
        {
            if (!PortProbe.IsFree(address, options.Port))
            {
                throw new StartupException("postgres.port", $"port {options.Port} on {address} is already in use by another program; stop that program or choose another postgres.port");
            }
        }
    }

    private void PrepareOsUser(string user)
    {
        OsUser.EnsureExists(user);
        File.SetUnixFileMode(node.DataDir, File.GetUnixFileMode(node.DataDir) | UnixFileMode.OtherExecute);
        if (!OsUser.CanReach(user, node.DataDir))
        {
            throw new StartupException("node.data_dir", $"the OS user '{user}' that runs PostgreSQL cannot reach {node.DataDir}; give every folder on the way search permission (chmod o+x) or choose another data_dir");
        }

        if (Directory.Exists(DataDir))
        {
            OsUser.Chown(DataDir, user);
        }
    }

    private IEnumerable<string> ListenAddresses()
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
        string[] args =
        [
            "-D", DataDir,
            "-c", $"port={options.Port}",
            "-c", $"listen_addresses={string.Join(',', ListenAddresses())}",
            "-c", "unix_socket_directories=",
            "-c", "logging_collector=off",
            "-c", "log_line_prefix=",
        ];
        _child?.Dispose();
        _child = ChildProcess.Start(new ProcessSpec(Path.Combine(options.BinDir, "postgres"), args, DataDir, ClusterInitializer.RunAsUser(options)), _log.Line);
        await WaitUntilAcceptingAsync(_child, ct);
        State = ModuleState.Running;
        StateDetail = $"accepting connections on port {options.Port}";
        LogRunning(_child.Pid, options.Port);
    }

    private async Task WaitUntilAcceptingAsync(ChildProcess child, CancellationToken ct)
    {
        var admin = AdminConnection("postgres").ConnectionString;
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (child.Exited.IsCompleted)
            {
                throw new StartupException(null, $"PostgreSQL exited during start with code {await child.Exited}: {_log.Recent()}");
            }

            try
            {
                await using var conn = new NpgsqlConnection(admin);
                await conn.OpenAsync(ct);
                return;
            }
            catch (NpgsqlException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(50, ct);
            }
            catch (NpgsqlException ex)
            {
                throw new StartupException(null, $"PostgreSQL did not accept connections within 60 s: {ex.Message}; its log: {_log.Recent()}");
            }
        }
    }

    // Idempotent, so a first start killed between initdb and here completes on the next start.
    private async Task BootstrapAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(AdminConnection("postgres").ConnectionString);
        await conn.OpenAsync(ct);
        var replicationPassword = credentials.GetOrCreate(ReplicationPasswordKey);
        await using (var role = new NpgsqlCommand(
            $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') THEN CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '{replicationPassword}'; END IF; END $$",
            conn))
        {
            await role.ExecuteNonQueryAsync(ct);
        }

        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", conn) { Parameters = { new() { Value = options.Database } } };
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{options.Database}\"", conn);
            await create.ExecuteNonQueryAsync(ct);
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
            catch (Exception ex) when (ex is StartupException or NpgsqlException or IOException)
            {
                LogRestartFailed(ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped PostgreSQL (pid {Pid}) left running by an earlier node process")]
    private partial void LogLeftoverStopped(int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Creating the PostgreSQL data directory {DataDir} (initdb)")]
    private partial void LogInitializing(string dataDir);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL running (pid {Pid}, port {Port})")]
    private partial void LogRunning(int pid, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL exited with code {Code}; restarting in {DelaySeconds} s")]
    private partial void LogDied(int code, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL restart failed: {Reason}")]
    private partial void LogRestartFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL stopped {How}")]
    private partial void LogStopped(string how);
}
