namespace AuroraNode.Bench;

/// <summary>
/// The peer of replica visibility: the same topology as the mesh with bare PostgreSQL and no node — a primary, a
/// synchronous standby and an asynchronous replica, each cloned with <c>pg_basebackup -R</c>, on loopback, default
/// settings, run as the node's OS user when root (PostgreSQL refuses root).
/// </summary>
internal sealed class BarePostgresCluster : IAsyncDisposable
{
    private readonly string _dir;
    private readonly List<string> _started = [];

    private BarePostgresCluster(string dir) => _dir = dir;

    public int PrimaryPort { get; } = NodeProcess.FreePort();

    public int StandbyPort { get; } = NodeProcess.FreePort();

    public int ReplicaPort { get; } = NodeProcess.FreePort();

    public static string Conninfo(int port) => $"host=127.0.0.1 port={port} user=postgres dbname=postgres";

    public static string ConnectionString(int port) => $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=10";

    public static async Task<BarePostgresCluster> StartAsync(CancellationToken ct)
    {
        var cluster = new BarePostgresCluster(Path.Combine(NodeProcess.BenchRoot, "bare-pg-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            await cluster.BuildAsync(ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_dir);
        if (Posix.IsRoot)
        {
            await Command.RunAsync(["chown", $"{Posix.PostgresOsUser}:", _dir], ct);
        }

        var primary = Path.Combine(_dir, "primary");
        await RunAsync(ct, Bin("initdb"), "-D", primary, "-U", "postgres", "--auth=trust", "--no-sync");
        await StartServerAsync(primary, PrimaryPort, "-c synchronous_standby_names=standby", ct);
        await CloneAsync(Path.Combine(_dir, "standby"), "standby", StandbyPort, ct);
        await CloneAsync(Path.Combine(_dir, "replica"), "replica", ReplicaPort, ct);
    }

    private async Task CloneAsync(string dataDir, string name, int port, CancellationToken ct)
    {
        await RunAsync(ct, Bin("pg_basebackup"), "-D", dataDir, "-d", $"{Conninfo(PrimaryPort)} application_name={name}", "-R", "-X", "stream", "--checkpoint=fast");
        await StartServerAsync(dataDir, port, "", ct);
    }

    private async Task StartServerAsync(string dataDir, int port, string extra, CancellationToken ct)
    {
        var options = $"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= {extra}";
        await RunAsync(ct, Bin("pg_ctl"), "start", "-w", "-t", "60", "-D", dataDir, "-l", Path.Combine(_dir, Path.GetFileName(dataDir) + ".log"), "-o", options);
        _started.Add(dataDir);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dataDir in Enumerable.Reverse(_started))
        {
            await Command.RunAsync(Posix.AsPostgresUser(Bin("pg_ctl"), "stop", "-w", "-m", "immediate", "-D", dataDir), CancellationToken.None);
        }

        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static async Task RunAsync(CancellationToken ct, params string[] command)
    {
        var (code, output) = await Command.RunAsync(Posix.AsPostgresUser(command), ct);
        if (code != 0)
        {
            throw new BenchException($"{Path.GetFileName(command[0])} failed with code {code}: {output}");
        }
    }

    private static string Bin(string name) => Path.Combine(Repo.PostgresBin, name);
}
