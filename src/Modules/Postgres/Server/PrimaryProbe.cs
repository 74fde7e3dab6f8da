using Dapper;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>Whether the server at an address answers and takes writes (not in recovery), asked as the superuser.</summary>
internal static class PrimaryProbe
{
    public static async Task<bool> IsPrimaryAsync(string address, NpgsqlConnectionStringBuilder admin, CancellationToken ct)
    {
        var (host, port) = StandbyConfig.Split(address);
        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Host = host, Port = port, Timeout = 2 };
        try
        {
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync(ct);
            return !await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_is_in_recovery()", cancellationToken: ct));
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>The timeline the primary at <paramref name="address"/> writes on, or null when it does not answer.</summary>
    public static async Task<int?> TimelineAsync(string address, NpgsqlConnectionStringBuilder admin, CancellationToken ct)
    {
        var (host, port) = StandbyConfig.Split(address);
        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Host = host, Port = port, Timeout = 2 };
        try
        {
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync(ct);
            // The first 8 hex digits of a WAL file name are its timeline.
            return await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
                "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END", cancellationToken: ct));
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    /// <summary>True when the primary's slot for a replica lost WAL the replica needed (past <c>max_slot_wal_keep_size</c>).</summary>
    public static async Task<bool> SlotIsLostAsync(string address, NpgsqlConnectionStringBuilder admin, string slot, CancellationToken ct)
    {
        var (host, port) = StandbyConfig.Split(address);
        var builder = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Host = host, Port = port, Timeout = 2 };
        try
        {
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync(ct);
            return await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT wal_status FROM pg_replication_slots WHERE slot_name = @Slot", new { Slot = slot }, cancellationToken: ct)) == "lost";
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

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
}
