using AuroraNode.Modules.Processes;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>
/// What makes a data directory a replica of a given primary: <c>standby.signal</c>, and <c>primary_conninfo</c> and
/// <c>primary_slot_name</c> in <c>postgresql.auto.conf</c> (the file ALTER SYSTEM writes, so a running replica is
/// repointed the same way). The passwords sit in a 0600 passfile with wildcard hosts, so a replica that follows a new
/// primary needs no new secret; they never appear on a command line or in a config file.
/// </summary>
internal static class StandbyConfig
{
    public const string ReplicationUser = "replicator";

    /// <summary>The cloned or rewound directory carries this file: its cluster belongs to the mesh, wherever it runs now.</summary>
    public const string MeshMarker = "aurora.mesh";

    private const string AutoConf = "postgresql.auto.conf";

    public static bool IsStandby(string dataDir) => File.Exists(Path.Combine(dataDir, "standby.signal"));

    public static bool BelongsToMesh(string dataDir) => File.Exists(Path.Combine(dataDir, MeshMarker));

    /// <summary>Makes the (stopped) cluster in <paramref name="dataDir"/> start as a replica of <paramref name="primary"/>.</summary>
    public static void Write(string dataDir, string primary, string passFile, string node, string? user)
    {
        File.WriteAllText(Path.Combine(dataDir, "standby.signal"), "");
        File.WriteAllText(Path.Combine(dataDir, MeshMarker), "This PostgreSQL cluster is a member of an Aurora mesh; aurora-node decides whether it runs as primary or replica.\n");
        var path = Path.Combine(dataDir, AutoConf);
        var kept = File.Exists(path)
            ? File.ReadAllLines(path).Where(l => !IsSetting(l, "primary_conninfo") && !IsSetting(l, "primary_slot_name") && !IsSetting(l, "synchronous_standby_names"))
            : [];
        File.WriteAllLines(path, [
            .. kept,
            $"primary_conninfo = '{Conninfo(primary, passFile, node)}'",
            $"primary_slot_name = '{ReplicaSource.SlotFor(node)}'",
            // Carried over from a primary by pg_basebackup or pg_rewind; a replica that is promoted starts without one.
            "synchronous_standby_names = ''",
        ]);
        if (user is not null)
        {
            OsUser.Chown(dataDir, user);
        }
    }

    /// <summary>libpq's connection string to <paramref name="primary"/> (host:port) as the replication user.</summary>
    public static string Conninfo(string primary, string passFile, string node)
    {
        var (host, port) = Split(primary);
        return $"host={host} port={port} user={ReplicationUser} passfile={passFile} application_name={node}";
    }

    public static (string Host, int Port) Split(string address)
    {
        var colon = address.LastIndexOf(':');
        return (address[..colon], int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Writes <c>replication.pgpass</c> next to the data directory: the replication user's and the superuser's
    /// passwords for any host (the same on every node of a mesh), readable by the server's OS user only.
    /// </summary>
    public static string WritePassFile(string dir, string replicationPassword, string superuserPassword, string? user)
    {
        var path = Path.Combine(dir, "replication.pgpass");
        var temp = path + ".tmp";
        File.WriteAllText(temp, "");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(temp, $"*:*:*:{ReplicationUser}:{Escape(replicationPassword)}\n*:*:*:postgres:{Escape(superuserPassword)}\n");
        if (user is not null)
        {
            OsUser.Chown(temp, user);
        }

        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static string Escape(string password) => password.Replace(@"\", @"\\").Replace(":", @"\:");

    private static bool IsSetting(string line, string name) =>
        line.TrimStart().StartsWith(name, StringComparison.Ordinal) && line.TrimStart()[name.Length..].TrimStart().StartsWith('=');
}
