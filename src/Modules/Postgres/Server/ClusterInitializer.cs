using AuroraNode.Modules.Processes;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>
/// Creates the data directory with initdb. It is built under a temporary name and renamed into place only
/// when complete, so a node killed halfway through its first start leaves nothing half-written.
/// </summary>
internal static class ClusterInitializer
{
    public static async Task InitializeAsync(PostgresOptions options, string dataDir, string superuserPassword, PostgresLog log, CancellationToken ct)
    {
        var building = dataDir + ".initdb";
        if (Directory.Exists(building))
        {
            Directory.Delete(building, recursive: true);
        }

        Directory.CreateDirectory(building, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var pwFile = Path.Combine(Path.GetDirectoryName(dataDir)!, $".initdb-pw-{Environment.ProcessId}");
        File.WriteAllText(pwFile, superuserPassword);
        File.SetUnixFileMode(pwFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            var user = RunAsUser(options);
            if (user is not null)
            {
                OsUser.Chown(building, user);
                OsUser.Chown(pwFile, user);
            }

            string[] args = ["-D", building, "-U", "postgres", $"--pwfile={pwFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-instructions"];
            using var initdb = ChildProcess.Start(new ProcessSpec(Path.Combine(options.BinDir, "initdb"), args, building, user), log.Line);
            var code = await initdb.Exited.WaitAsync(ct);
            if (code != 0)
            {
                throw new StartupException(null, $"initdb failed with exit code {code}: {log.Recent()}");
            }

            File.WriteAllText(Path.Combine(building, "pg_hba.conf"), HostBasedAuth);
            if (user is not null)
            {
                OsUser.Chown(Path.Combine(building, "pg_hba.conf"), user);
            }
        }
        finally
        {
            File.Delete(pwFile);
        }

        Directory.Move(building, dataDir);
    }

    public static string? RunAsUser(PostgresOptions options) => Signals.IsRoot ? options.OsUser : null;

    // Every role has a long generated password, so password auth from anywhere is safe; mesh nodes connect on the advertise address.
    private const string HostBasedAuth = """
        # Written by aurora-node at initdb. Every role authenticates with a SCRAM password.
        # TYPE  DATABASE     USER  ADDRESS       METHOD
        host    all          all   127.0.0.1/32  scram-sha-256
        host    all          all   ::1/128       scram-sha-256
        host    replication  all   127.0.0.1/32  scram-sha-256
        host    all          all   0.0.0.0/0     scram-sha-256
        host    replication  all   0.0.0.0/0     scram-sha-256

        """;
}
