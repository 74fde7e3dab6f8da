using Dapper;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>Questions to the server at an address (whether it takes writes, its timeline, a slot), asked as the superuser.</summary>
internal static class PrimaryProbe
{
    public static Task<bool> IsPrimaryAsync(string address, NpgsqlConnectionStringBuilder admin, CancellationToken ct) =>
        AskAsync(address, admin, "SELECT NOT pg_is_in_recovery()", null, false, ct);

    /// <summary>The timeline the primary at <paramref name="address"/> writes on, or null when it does not answer.</summary>
    public static Task<int?> TimelineAsync(string address, NpgsqlConnectionStringBuilder admin, CancellationToken ct) =>
        // The first 8 hex digits of a WAL file name are its timeline.
        AskAsync<int?>(address, admin, "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END", null, null, ct);

    /// <summary>True when the primary's slot for a replica lost WAL the replica needed (past <c>max_slot_wal_keep_size</c>).</summary>
    public static Task<bool> SlotIsLostAsync(string address, NpgsqlConnectionStringBuilder admin, string slot, CancellationToken ct) =>
        AskAsync(address, admin, "SELECT coalesce(wal_status = 'lost', false) FROM pg_replication_slots WHERE slot_name = @Slot", new { Slot = slot }, false, ct);

    /// <summary>Waits up to <paramref name="timeout"/> for <paramref name="address"/> to take writes.</summary>
    public static async Task<bool> WaitForPrimaryAsync(string address, NpgsqlConnectionStringBuilder admin, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (!await IsPrimaryAsync(address, admin, ct))
        {
            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, ct);
        }

        return true;
    }

    // One short connection; a server that does not answer gets the fallback.
    private static async Task<T> AskAsync<T>(string address, NpgsqlConnectionStringBuilder admin, string sql, object? parameters, T fallback, CancellationToken ct)
    {
        var (host, port) = StandbyConfig.Split(address);
        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Host = host, Port = port, Timeout = 2 };
        try
        {
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync(ct);
            return (await conn.QueryFirstOrDefaultAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: ct)))!; // No row: default(T).
        }
        catch (NpgsqlException)
        {
            return fallback;
        }
    }
}
