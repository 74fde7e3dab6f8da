namespace AuroraNode.Modules.Postgres;

/// <summary>The <c>postgres</c> section of the config file.</summary>
/// <param name="Managed">The node runs its own server under <c>data_dir/postgres</c>.</param>
/// <param name="Port">The managed server's port.</param>
/// <param name="BinDir">The folder with <c>postgres</c> and <c>initdb</c> (resolved when the config left it empty).</param>
/// <param name="MajorVersion">The major version of the binaries in <see cref="BinDir"/>.</param>
/// <param name="OsUser">The unprivileged OS user that runs the server when the node runs as root.</param>
/// <param name="Database">The database the modules use.</param>
/// <param name="ConnectionString">The server to use when not managed.</param>
/// <param name="StopTimeout">How long a clean stop may take before the server is killed.</param>
/// <param name="Replica">The managed server is a replica of the mesh's primary: the node joined a lead (<c>mesh.lead_url</c>) and is not the lead.</param>
/// <param name="NoSync">This node never becomes the synchronous standby (a laptop, a slow link).</param>
/// <param name="SyncStrict">Without a synchronous standby the primary blocks commits instead of going on asynchronously.</param>
/// <param name="Failover">Leader lease and automatic failover.</param>
/// <param name="MaxSlotWalKeepSize">The most WAL a replication slot may hold back on the primary (<c>max_slot_wal_keep_size</c>), so a replica that stays away cannot fill its disk.</param>
/// <param name="SlotAlertPercent">A slot holding back this share of <see cref="MaxSlotWalKeepSize"/> raises an alert.</param>
/// <param name="ReplicationTimeout">
/// How long a primary waits on a silent replica (and a replica on a silent primary) before it drops the stream
/// (<c>wal_sender_timeout</c>, <c>wal_receiver_timeout</c>): how long commits can wait on a synchronous standby
/// that is cut off before the primary goes on without it.
/// </param>
internal sealed record PostgresOptions(
    bool Managed,
    int Port,
    string BinDir,
    int MajorVersion,
    string OsUser,
    string Database,
    string? ConnectionString,
    TimeSpan StopTimeout,
    bool Replica,
    bool NoSync,
    bool SyncStrict,
    string MaxSlotWalKeepSize,
    int SlotAlertPercent,
    TimeSpan ReplicationTimeout,
    Failover.FailoverOptions Failover)
{
    public const int DefaultPort = 5433;
}
