using System.Diagnostics.Metrics;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Data;
using AuroraNode.Modules.Postgres.Failover;
using Dapper;
using Npgsql;
using StackExchange.Redis;

namespace AuroraNode.Modules.Postgres.Replication;

/// <summary>
/// Reads where the local server stands: on the primary its replicas (slots joined with pg_stat_replication), on a
/// replica its stream from the primary. The last lag read is exported as <c>aurora_replication_lag_seconds</c>.
/// </summary>
internal sealed class ReplicationStatus : IReplicationState
{
    // A replica this far behind (or more) is still catching up rather than streaming.
    private static readonly TimeSpan CaughtUp = TimeSpan.FromSeconds(1);

    // The status answers without Redis too: the failover candidate is then unknown.
    private static readonly TimeSpan CandidateWait = TimeSpan.FromMilliseconds(500);
    private static readonly Meter Meter = new("aurora");

    // Column aliases match the records' parameter names; every type is cast to the parameter's. A restarted stream
    // reports its receive position from the start of a segment, behind what was replayed: nothing is pending then.
    private const string ServerSql = """
        SELECT pg_is_in_recovery() AS inrecovery,
               (SELECT timeline_id FROM pg_control_checkpoint())::bigint AS timeline,
               CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS lsn,
               pg_last_wal_receive_lsn()::text AS receivelsn,
               pg_last_wal_replay_lsn()::text AS replaylsn,
               greatest(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::bigint AS lagbytes,
               CASE WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::float8 AS lagseconds,
               (SELECT status FROM pg_stat_wal_receiver)::text AS receiver
        """;

    private const string ReplicasSql = """
        SELECT coalesce(r.application_name, s.slot_name::text) AS node, s.slot_name::text AS slot,
               coalesce(r.state, 'disconnected')::text AS state, r.sync_state::text AS syncstate, host(r.client_addr) AS address,
               pg_wal_lsn_diff(pg_current_wal_lsn(), r.write_lsn)::bigint AS writelagbytes,
               pg_wal_lsn_diff(pg_current_wal_lsn(), r.flush_lsn)::bigint AS flushlagbytes,
               pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint AS replaylagbytes,
               extract(epoch FROM r.write_lag)::float8 AS writelagseconds,
               extract(epoch FROM r.flush_lag)::float8 AS flushlagseconds,
               extract(epoch FROM r.replay_lag)::float8 AS replaylagseconds,
               pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint AS slotretainedbytes
        FROM pg_replication_slots s
        FULL JOIN pg_stat_replication r ON r.pid = s.active_pid
        WHERE s.slot_type IS DISTINCT FROM 'logical'
        ORDER BY 1
        """;

    private readonly PostgresDatabase _database;
    private readonly NodeContext _node;
    private readonly INodeCredentials _credentials;
    private readonly LeaderLease _lease;
    private double? _lastLag;

    public ReplicationStatus(PostgresDatabase database, NodeContext node, INodeCredentials credentials, LeaderLease lease)
    {
        (_database, _node, _credentials, _lease) = (database, node, credentials, lease);
        Meter.CreateObservableGauge("replication_lag_seconds", () => _lastLag ?? 0, unit: "s", description: "How far this node's replica is behind its primary (0 on the primary).");
    }

    public async Task<ReplicationView> ReadAsync(CancellationToken ct)
    {
        await using var conn = await _database.Reads.OpenConnectionAsync(ct);
        var server = await ReadServerAsync(conn, ct);
        var candidate = await FailoverCandidateAsync(ct);
        if (server.InRecovery)
        {
            var state = server.Receiver != "streaming" ? "disconnected"
                : server.LagSeconds >= CaughtUp.TotalSeconds ? "catching_up"
                : "streaming";
            return new ReplicationView(_node.Name, _database.AddressForOtherNodes, "replica", state, server.Timeline, null, server.ReceiveLsn, server.ReplayLsn,
                server.LagBytes, server.LagSeconds, _credentials.Get(CredentialKeys.PostgresPrimary), candidate, []);
        }

        var replicas = (await conn.QueryAsync<ReplicaView>(new CommandDefinition(ReplicasSql, cancellationToken: ct))).ToList();
        return new ReplicationView(_node.Name, _database.AddressForOtherNodes, "primary", "running", server.Timeline, server.Lsn, null, null, null, null, null, candidate, replicas);
    }

    private async Task<string?> FailoverCandidateAsync(CancellationToken ct)
    {
        if (!_lease.Available)
        {
            return null;
        }

        try
        {
            return await _lease.SyncStandbyAsync().WaitAsync(CandidateWait, ct);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    // Health reports ask every 30 s: the server's row alone, without the replicas or Redis the full view reads.
    public async Task<double?> LagSecondsAsync(CancellationToken ct)
    {
        await using var conn = await _database.Reads.OpenConnectionAsync(ct);
        var server = await ReadServerAsync(conn, ct);
        return server.InRecovery ? server.LagSeconds : null;
    }

    private async Task<ServerRow> ReadServerAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var server = await conn.QuerySingleAsync<ServerRow>(new CommandDefinition(ServerSql, cancellationToken: ct));
        _lastLag = server.InRecovery ? server.LagSeconds : 0;
        return server;
    }

    public async Task<string?> RoleAsync(CancellationToken ct)
    {
        try
        {
            await using var conn = await _database.Reads.OpenConnectionAsync(ct);
            return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_is_in_recovery()", cancellationToken: ct)) ? "replica" : "primary";
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private sealed record ServerRow(bool InRecovery, long Timeline, string? Lsn, string? ReceiveLsn, string? ReplayLsn, long? LagBytes, double? LagSeconds, string? Receiver);
}
