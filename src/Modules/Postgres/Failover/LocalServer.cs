using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>One look at the node's own server: primary or replica, how far its WAL goes, whom it streams from.</summary>
internal sealed partial record LocalServer(bool InRecovery, long Lsn, int Slots, string? Receiver, string? PrimaryConninfo, int? ReceivedTimeline)
{
    private const string Sql = """
        SELECT pg_is_in_recovery() AS inrecovery,
               pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
                                    ELSE pg_current_wal_lsn() END, '0/0')::bigint AS lsn,
               (SELECT count(*) FROM pg_replication_slots WHERE slot_type = 'physical')::int AS slots,
               (SELECT status FROM pg_stat_wal_receiver)::text AS receiver,
               current_setting('primary_conninfo') AS primaryconninfo,
               (SELECT received_tli FROM pg_stat_wal_receiver)::int AS receivedtimeline
        """;

    public static async Task<LocalServer> ReadAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        await using var conn = await source.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<LocalServer>(new CommandDefinition(Sql, cancellationToken: ct));
    }

    public bool IsStreaming => Receiver == "streaming";

    /// <summary>host:port the replica is configured to stream from, or null.</summary>
    public string? StreamsFrom => PrimaryConninfo is { } c && HostPort().Match(c) is { Success: true } m ? $"{m.Groups[1].Value}:{m.Groups[2].Value}" : null;

    [GeneratedRegex(@"host=(\S+).*\bport=(\d+)")]
    private static partial Regex HostPort();
}
