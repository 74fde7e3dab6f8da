using AuroraNode.Modules.Processes;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>
/// Brings a former primary's data directory back onto the new primary's timeline with <c>pg_rewind</c>, so it can
/// follow as a replica without a full copy. pg_rewind runs crash recovery itself when the server was not shut down
/// cleanly (a fenced or killed primary); it needs <c>wal_log_hints</c>, which the node always sets.
/// </summary>
internal static class Rewinder
{
    /// <summary>Rewinds the stopped cluster in <paramref name="dataDir"/> from the running <paramref name="primary"/>; false when pg_rewind failed.</summary>
    public static async Task<bool> RewindAsync(PostgresOptions options, string dataDir, string primary, string passFile, PostgresLog log, CancellationToken ct)
    {
        var (host, port) = StandbyConfig.Split(primary);
        var source = $"host={host} port={port} user=postgres dbname=postgres passfile={passFile} connect_timeout=10";
        var user = ClusterInitializer.RunAsUser(options);
        using var rewind = ChildProcess.Start(new ProcessSpec(Path.Combine(options.BinDir, "pg_rewind"), ["--target-pgdata", dataDir, "--source-server", source], dataDir, user), log.Line);
        return await rewind.Exited.WaitAsync(ct) == 0;
    }
}
