using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Processes;
using Microsoft.Extensions.Logging;
using AuroraNode.Modules.Postgres.Failover;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>
/// The node's own PostgreSQL: initdb on first start, then a supervised child (fast shutdown on stop, restart
/// with backoff when it dies). A server left running by a node killed with SIGKILL is stopped first.
/// </summary>
internal sealed partial class PostgresServer(
    PostgresOptions options,
    NodeContext node,
    INodeCredentials credentials,
    PostgresDatabase database,
    LeaderLease lease,
    ILogger<PostgresServer> logger,
    TimeProvider time) : SupervisedServer("PostgreSQL", logger, time)
{
    public const string SuperuserPasswordKey = CredentialKeys.SuperuserPassword;
    public const string ReplicationPasswordKey = CredentialKeys.ReplicationPassword;

    private readonly PostgresLog _log = new(logger);

    public string DataDir => Path.Combine(node.DataDir, "postgres");

    protected override int StopSignal => Signals.SigInt;

    protected override TimeSpan StopTimeout => options.StopTimeout;

    protected override string RunningDetail => $"accepting connections on port {options.Port}";

    /// <summary>A superuser connection to the local server, or to the one at <paramref name="address"/> (host:port).</summary>
    public NpgsqlConnectionStringBuilder AdminConnection(string databaseName, string? address = null)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = options.Port, Username = "postgres", Database = databaseName, Timeout = 3, Pooling = false };
        if (address is not null)
        {
            (builder.Host, builder.Port) = StandbyConfig.Split(address);
        }

        // The credentials file's password; while a rotation is pending here, whichever of the two that server takes.
        builder.Password = database.SuperuserPassword.Get(builder);
        return builder;
    }

    protected override async Task PrepareAsync(CancellationToken ct)
    {
        CheckDataDirVersion();
        await StopLeftoverPostmasterAsync(ct);
        PortProbe.EnsureFree(node.ListenAddresses(), options.Port, "postgres.port");

        if (ClusterInitializer.RunAsUser(options) is { } user)
        {
            PrepareOsUser(user);
        }

        var exists = File.Exists(Path.Combine(DataDir, "PG_VERSION"));
        if (options.Replica && !exists)
        {
            var source = ReplicaSourceFromCredentials();
            StateDetail = $"cloning the primary at {source.Host}:{source.Port}";
            LogCloning(DataDir, source.Host, source.Port, source.Slot);
            await ReplicaCloner.CloneAsync(options, source, credentials.GetOrCreate(SuperuserPasswordKey), DataDir, _log, ct);
        }
        else if (options.Replica && !StandbyConfig.IsStandby(DataDir) && !StandbyConfig.BelongsToMesh(DataDir))
        {
            throw new StartupException("node.data_dir", $"{DataDir} holds a PostgreSQL cluster of its own, but this node joined a mesh and must be a replica of its primary; move the folder away (keep it if its data matters) so the node clones the primary");
        }
        else if (!exists)
        {
            StateDetail = "initdb";
            LogInitializing(DataDir);
            await ClusterInitializer.InitializeAsync(options, DataDir, credentials.GetOrCreate(SuperuserPasswordKey), _log, ct);
            return;
        }

        // The mesh's passwords may have been rotated while the node was down: the replica reconnects with the current ones.
        if (StandbyConfig.IsStandby(DataDir) && File.Exists(Path.Combine(node.DataDir, "replication.pgpass"))
            && credentials.Get(ReplicationPasswordKey) is { } replication && credentials.Get(SuperuserPasswordKey) is { } superuser)
        {
            StandbyConfig.WritePassFile(node.DataDir, replication, superuser, ClusterInitializer.RunAsUser(options));
        }

        // A former primary never starts as a second one: if another node took the lease meanwhile, it follows that node.
        if (!StandbyConfig.IsStandby(DataDir) && await LeaderElsewhereAsync() is { } primary)
        {
            LogRejoining(primary);
            await BecomeReplicaOfAsync(primary, ct);
        }
    }

    // A primary that another node replaced while this node was down must stop taking writes at once (immediate
    // shutdown, like a fenced one; it is rewound before it starts again); any other gets a fast shutdown.
    private async Task StopLeftoverPostmasterAsync(CancellationToken ct)
    {
        var pidFile = LeftoverPostmaster.Read(DataDir);
        if (!pidFile.Running)
        {
            await LeftoverPostmaster.ClearAsync(DataDir, ct);
            if (pidFile.Stale)
            {
                // PostgreSQL would refuse to start while the pid it names is alive, though it is another process now.
                File.Delete(Path.Combine(DataDir, "postmaster.pid"));
                LogStalePidFile(pidFile.Pid);
            }

            return;
        }

        var pid = pidFile.Pid;
        var replacedBy = StandbyConfig.IsStandby(DataDir) ? null : await LeaderElsewhereAsync();
        StateDetail = $"stopping the PostgreSQL (pid {pid}) left running by an earlier node process";
        LogStoppingLeftover(pid, replacedBy is null ? "fast shutdown" : $"immediate shutdown: the primary at {replacedBy} replaced it");
        var started = Time.GetTimestamp();
        var how = await LeftoverPostmaster.StopAsync(pid, DataDir, immediate: replacedBy is not null, options.StopTimeout, ct);
        LogLeftoverStopped(pid, how, Time.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>True while the server is stopped on purpose (fenced, or handing over to another primary).</summary>
    public bool IsStoppedOnPurpose => IsHeldDown;

    /// <summary>Stops taking writes at once (immediate shutdown): this primary can no longer renew its lease.</summary>
    public Task FenceAsync() => HoldDownAsync(Signals.SigQuit, "fenced: stopped taking writes until the leader lease is settled");

    /// <summary>A clean stop for a planned switchover: connected replicas receive all WAL before the server exits.</summary>
    public Task StopForSwitchoverAsync() => HoldDownAsync(Signals.SigInt, "stopped for a switchover");

    /// <summary>Starts a fenced server again as it was (nobody else took over).</summary>
    public Task ResumeAsPrimaryAsync(CancellationToken ct) => ResumeAsync(_ => Task.CompletedTask, ct);

    /// <summary>Stops the server (unless stopped already), makes it a replica of <paramref name="primary"/> and starts it.</summary>
    public async Task RejoinAsync(string primary, CancellationToken ct)
    {
        if (!IsHeldDown)
        {
            await HoldDownAsync(Signals.SigInt, $"rejoining as a replica of {primary}");
        }

        LogRejoining(primary);
        await ResumeAsync(c => BecomeReplicaOfAsync(primary, c), ct);
    }

    private async Task<string?> LeaderElsewhereAsync()
    {
        if (!options.Failover.Enabled || !lease.Available)
        {
            return null;
        }

        try
        {
            var holder = await lease.HolderAsync();
            return holder is null || holder == node.Name ? null : await lease.AddressOfAsync(holder);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            LogLeaseUnknown(ex.Message);
            return null;
        }
    }

    // pg_rewind onto the primary's timeline (a no-op when nothing diverged); a full clone when that fails.
    private async Task BecomeReplicaOfAsync(string primary, CancellationToken ct)
    {
        var user = ClusterInitializer.RunAsUser(options);
        var replication = credentials.GetOrCreate(ReplicationPasswordKey);
        var passFile = StandbyConfig.WritePassFile(node.DataDir, replication, credentials.GetOrCreate(SuperuserPasswordKey), user);
        // A primary just promoted or restarted may not take connections yet; that is no reason to clone anew.
        StateDetail = $"waiting for the primary at {primary}";
        if (!await PrimaryProbe.WaitForPrimaryAsync(primary, AdminConnection("postgres", primary), TimeSpan.FromSeconds(60), Time, ct))
        {
            throw new StartupException("mesh.lead_url", $"the primary at {primary} did not take connections within 60 s, so this node cannot rejoin it as a replica yet; the data directory was not touched");
        }

        // pg_rewind finishes an interrupted recovery in single-user mode, which refuses to run as a standby.
        File.Delete(Path.Combine(DataDir, "standby.signal"));
        // Away past max_slot_wal_keep_size: the primary no longer has the WAL this copy needs, so only a clone helps.
        var slotLost = await PrimaryProbe.SlotIsLostAsync(primary, AdminConnection("postgres", primary), ReplicaSource.SlotFor(node.Name), ct);
        StateDetail = $"pg_rewind from the primary at {primary}";
        if (slotLost || !await Rewinder.RewindAsync(options, DataDir, primary, passFile, _log, ct))
        {
            if (!slotLost && !await PrimaryProbe.IsPrimaryAsync(primary, AdminConnection("postgres", primary), ct))
            {
                throw new StartupException("mesh.lead_url", $"pg_rewind could not finish: the primary at {primary} stopped answering ({_log.Recent()}); the data directory is as pg_rewind left it and is rewound again on the next try");
            }

            var aside = DataDir + ".diverged";
            if (slotLost)
            {
                LogSlotLost(primary, ReplicaSource.SlotFor(node.Name), aside);
            }
            else
            {
                LogRewindFailed(primary, aside, _log.Recent());
            }
            if (Directory.Exists(aside))
            {
                Directory.Delete(aside, recursive: true);
            }

            Directory.Move(DataDir, aside);
            var (host, port) = StandbyConfig.Split(primary);
            StateDetail = $"cloning the primary at {primary}";
            await ReplicaCloner.CloneAsync(options, new ReplicaSource(host, port, replication, ReplicaSource.SlotFor(node.Name), node.Name), credentials.GetOrCreate(SuperuserPasswordKey), DataDir, _log, ct);
        }

        StandbyConfig.Write(DataDir, primary, passFile, node.Name, user);
        credentials.Set(CredentialKeys.PostgresPrimary, primary);
    }

    private ReplicaSource ReplicaSourceFromCredentials()
    {
        var primary = credentials.Get(CredentialKeys.PostgresPrimary);
        var password = credentials.Get(ReplicationPasswordKey);
        var colon = primary?.LastIndexOf(':') ?? -1;
        if (primary is null || password is null || colon < 1 || !int.TryParse(primary[(colon + 1)..], out var port))
        {
            throw new StartupException("mesh.lead_url", $"the credentials file lacks the primary's address or the replication password ({CredentialKeys.PostgresPrimary}, {ReplicationPasswordKey}); the lead that this node joined runs no PostgreSQL of its own");
        }

        return new ReplicaSource(primary[..colon], port, password, ReplicaSource.SlotFor(node.Name), node.Name);
    }

    protected override ProcessSpec CreateSpec() => new(
        Path.Combine(options.BinDir, "postgres"),
        [
            "-D", DataDir,
            "-c", $"port={options.Port}",
            "-c", $"listen_addresses={string.Join(',', node.ListenAddresses())}",
            "-c", "unix_socket_directories=",
            "-c", "logging_collector=off",
            "-c", "log_line_prefix=",
            "-c", $"max_slot_wal_keep_size={options.MaxSlotWalKeepSize}",
            "-c", "hot_standby_feedback=on",
            // pg_rewind needs it to bring a former primary back as a replica.
            "-c", "wal_log_hints=on",
            // How soon a replica retries its primary, e.g. a new one after a failover.
            "-c", "wal_retrieve_retry_interval=1s",
            // A stream whose other end went silent (a partition) ends after this, not PostgreSQL's 60 s: until then
            // commits wait on a synchronous standby that can't answer. Replicas report often enough to stay under it.
            "-c", $"wal_sender_timeout={(int)options.ReplicationTimeout.TotalMilliseconds}ms",
            "-c", $"wal_receiver_timeout={(int)options.ReplicationTimeout.TotalMilliseconds}ms",
            "-c", $"wal_receiver_status_interval={Math.Clamp((int)(options.ReplicationTimeout.TotalSeconds / 5), 1, 10)}s",
        ],
        DataDir,
        ClusterInitializer.RunAsUser(options));

    protected override void OnOutput(string line) => _log.Line(line);

    // Idle pooled connections would otherwise each log "FATAL: terminating connection due to administrator command".
    protected override void BeforeStop() => database.ClearIdleConnections();

    protected override async Task WaitUntilUpAsync(ChildProcess child, CancellationToken ct)
    {
        var deadline = Time.GetUtcNow() + TimeSpan.FromSeconds(60);
        while (true)
        {
            var admin = AdminConnection("postgres").ConnectionString;
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
            catch (NpgsqlException) when (Time.GetUtcNow() < deadline)
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
    protected override async Task AfterFirstStartAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(AdminConnection("postgres").ConnectionString);
        await conn.OpenAsync(ct);
        await using (var recovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", conn))
        {
            if ((bool)(await recovery.ExecuteScalarAsync(ct))!)
            {
                return; // A replica: roles and databases come from the primary.
            }
        }

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


    [LoggerMessage(Level = LogLevel.Information, Message = "Creating the PostgreSQL data directory {DataDir} as a replica of the primary at {Host}:{Port} (pg_basebackup, slot {Slot})")]
    private partial void LogCloning(string dataDir, string host, int port, string slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL rejoins the mesh as a replica of the primary at {Primary}")]
    private partial void LogRejoining(string primary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the leader lease before starting PostgreSQL ({Reason}); starting it as it was, the supervisor settles its role")]
    private partial void LogLeaseUnknown(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "pg_rewind from the primary at {Primary} failed; the data directory is kept at {Aside} and cloned anew: {Output}")]
    private partial void LogRewindFailed(string primary, string aside, string output);

    [LoggerMessage(Level = LogLevel.Error, Message = "The primary at {Primary} no longer has the WAL this replica needs (slot {Slot} passed max_slot_wal_keep_size); the data directory is kept at {Aside} and cloned anew")]
    private partial void LogSlotLost(string primary, string slot, string aside);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed a stale postmaster.pid: pid {Pid} is another process now, not the PostgreSQL that wrote it (left alone)")]
    private partial void LogStalePidFile(int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping PostgreSQL (pid {Pid}) left running by an earlier node process: {Mode}")]
    private partial void LogStoppingLeftover(int pid, string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped PostgreSQL (pid {Pid}) left running by an earlier node process: {How} in {Seconds:0.0} s")]
    private partial void LogLeftoverStopped(int pid, string how, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Creating the PostgreSQL data directory {DataDir} (initdb)")]
    private partial void LogInitializing(string dataDir);
}
