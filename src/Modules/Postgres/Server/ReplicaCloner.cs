using AuroraNode.Modules.Processes;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>
/// Makes this node's data directory a copy of the primary's with <c>pg_basebackup</c>, streaming from a physical
/// slot of its own (<c>replica_{node}</c>) so the primary keeps the WAL the replica still needs. Like initdb, it
/// builds under a temporary name and renames into place when complete.
/// </summary>
internal static class ReplicaCloner
{
    private const string ReplicationUser = StandbyConfig.ReplicationUser;

    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    /// <summary>
    /// Clones, trying again a few times (2, 4, 8 s apart) when the primary goes away mid-copy — it may be restarting —
    /// before start-up fails with the last reason. Another node streaming from this node's slot fails at once.
    /// </summary>
    public static async Task CloneAsync(PostgresOptions options, ReplicaSource source, string superuserPassword, string dataDir, PostgresLog log, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await CloneOnceAsync(options, source, superuserPassword, dataDir, log, ct);
                return;
            }
            catch (StartupException ex) when (ex.Key == "mesh.lead_url" && attempt < RetryDelays.Length)
            {
                log.Line($"Cloning the primary failed ({ex.Message}); trying again in {RetryDelays[attempt].TotalSeconds:0} s");
                await Task.Delay(RetryDelays[attempt], ct);
            }
        }
    }

    private static async Task CloneOnceAsync(PostgresOptions options, ReplicaSource source, string superuserPassword, string dataDir, PostgresLog log, CancellationToken ct)
    {
        var building = dataDir + ".clone";
        if (Directory.Exists(building))
        {
            Directory.Delete(building, recursive: true);
        }

        Directory.CreateDirectory(building, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var user = ClusterInitializer.RunAsUser(options);
        var passFile = StandbyConfig.WritePassFile(Path.GetDirectoryName(dataDir)!, source.Password, superuserPassword, user);
        if (user is not null)
        {
            OsUser.Chown(building, user);
        }

        await DropStaleSlotAsync(source, ct);
        var conninfo = StandbyConfig.Conninfo($"{source.Host}:{source.Port}", passFile, source.ApplicationName);
        string[] args = ["-D", building, "-d", conninfo, "-X", "stream", "-C", "-S", source.Slot, "--checkpoint=fast", "--no-password"];
        using (var basebackup = ChildProcess.Start(new ProcessSpec(Path.Combine(options.BinDir, "pg_basebackup"), args, building, user), log.Line))
        {
            var code = await basebackup.Exited.WaitAsync(ct);
            if (code != 0)
            {
                throw new StartupException("mesh.lead_url", $"pg_basebackup from the primary at {source.Host}:{source.Port} failed with exit code {code}: {log.Recent()}");
            }
        }

        StandbyConfig.Write(building, $"{source.Host}:{source.Port}", passFile, source.ApplicationName, user);
        Directory.Move(building, dataDir);
    }

    /// <summary>A slot left by an earlier clone of this node that never finished would make <c>-C</c> fail; one in use is another node's.</summary>
    private static async Task DropStaleSlotAsync(ReplicaSource source, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = source.Host,
            Port = source.Port,
            Username = ReplicationUser,
            Password = source.Password,
            Database = "postgres",
            Timeout = 10,
            Pooling = false,
        };
        try
        {
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT active FROM pg_replication_slots WHERE slot_name = $1", conn) { Parameters = { new() { Value = source.Slot } } };
            if (await cmd.ExecuteScalarAsync(ct) is bool active)
            {
                if (active)
                {
                    throw new StartupException("node.name", $"the primary at {source.Host}:{source.Port} already streams to a replica through slot {source.Slot}: another node has this node's name");
                }

                await using var drop = new NpgsqlCommand("SELECT pg_drop_replication_slot($1)", conn) { Parameters = { new() { Value = source.Slot } } };
                await drop.ExecuteNonQueryAsync(ct);
            }
        }
        catch (NpgsqlException ex)
        {
            throw new StartupException("mesh.lead_url", $"cannot reach the primary PostgreSQL at {source.Host}:{source.Port} as {ReplicationUser}: {ex.Message}");
        }
    }
}

/// <summary>The primary a replica clones and streams from, and the slot it uses there.</summary>
internal sealed record ReplicaSource(string Host, int Port, string Password, string Slot, string ApplicationName)
{
    /// <summary>Slot names allow lowercase letters, digits and '_' only, at most 63.</summary>
    public static string SlotFor(string node)
    {
        var name = new string(node.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return "replica_" + name[..Math.Min(name.Length, 55)];
    }
}
