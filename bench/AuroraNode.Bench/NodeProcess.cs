using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;

namespace AuroraNode.Bench;

/// <summary>
/// One aurora-node (by default a lead: postgres, redis, eventbus, registry) in its own folder under /tmp/aurora-bench,
/// on free loopback ports, logging warnings only. Disposing stops it and deletes the folder, whatever happened before.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    public const string BenchRoot = "/tmp/aurora-bench";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    // 0755 on the way down: as root the node runs PostgreSQL as the OS user 'aurora', which must reach the data dir.
    private static readonly UnixFileMode Traversable = (UnixFileMode)0b111_101_101;

    private readonly NodeBinary _binary;
    private readonly HttpClient _http;
    private HttpClient? _signed;
    private readonly OutputTail _output = new();
    private Process? _process;

    public NodeProcess(NodeBinary binary, NodeSetup? setup = null)
    {
        setup ??= NodeSetup.Lead;
        _binary = binary;
        Directory.CreateDirectory(BenchRoot);
        File.SetUnixFileMode(BenchRoot, Traversable);
        Dir = Path.Combine(BenchRoot, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, Traversable);
        (ApiPort, PostgresPort, RedisPort, SentinelPort) = (FreePort(), FreePort(), FreePort(), FreePort());
        ConfigPath = Path.Combine(Dir, "aurora-node.yaml");
        Name = setup.Name;
        File.WriteAllText(ConfigPath, $"""
            node:
              name: {setup.Name}
              roles: [{setup.Roles}]
              data_dir: {DataDir}
              advertise_address: 127.0.0.1
            api:
              listen: 127.0.0.1:{ApiPort}
            logging:
              level: {(setup.LogFile ? "information" : "warning")}
              file: {(setup.LogFile ? "true" : "false")}
            postgres:
              port: {PostgresPort}
            {Indent(setup.Postgres)}
            redis:
              sentinel_port: {SentinelPort}
            {(setup.RedisUrl is null ? $"  port: {RedisPort}" : $"  managed: false\n  url: \"{setup.RedisUrl}\"")}
            {Indent(setup.Redis)}
            {(setup.LeadUrl is null ? "" : $"mesh:\n  lead_url: {setup.LeadUrl}\n  join_token: {setup.JoinToken}")}
            {(setup.Modules.Length == 0 ? "" : "modules:\n" + Indent(setup.Modules))}

            """);
        _http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
    }

    public string Dir { get; }

    public string Name { get; }

    public string DataDir => Path.Combine(Dir, "data");

    public string PostgresDataDir => Path.Combine(DataDir, "postgres");

    public string RedisConf => Path.Combine(DataDir, "redis", "redis.conf");

    public string ConfigPath { get; }

    public int ApiPort { get; }

    public int PostgresPort { get; }

    public int RedisPort { get; }

    public int SentinelPort { get; }

    public string Url => $"http://127.0.0.1:{ApiPort}";

    /// <summary>A client for the node's API, signing as the node's operator (an admin there) once the node has made its key.</summary>
    public HttpClient Http => _signed ??= Client(TimeSpan.FromSeconds(5));

    /// <summary>A new client signing as the node's operator, as the CLI on its machine does.</summary>
    public HttpClient Client(TimeSpan timeout) =>
        new(new NodeSigningHandler(NodeSigningKey.Load(Credential(CredentialKeys.NodeSigningKey) ?? throw new BenchException($"node {Name} has no signing key yet: start it first"), Name), TimeProvider.System))
        {
            BaseAddress = new Uri(Url),
            Timeout = timeout,
        };

    /// <summary>An access token of the lead's admin, for tools that send a bearer token (wrk).</summary>
    public Task<string> AdminTokenAsync(CancellationToken ct) =>
        LoginAsync(Credential(CredentialKeys.AuthAdminPassword) ?? throw new BenchException($"node {Name} has no admin password: log in on the lead"), ct);

    /// <summary>Logs <c>admin</c> in on this node with <paramref name="password"/>; the access token.</summary>
    public async Task<string> LoginAsync(string password, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode
            ? System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!
            : throw new BenchException($"admin login on {Name} failed ({(int)response.StatusCode}): {body}");
    }

    /// <summary>A value from the node's credentials file.</summary>
    public string Credential(string key) =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(DataDir, "credentials")))?.GetValueOrDefault(key)
        ?? throw new BenchException($"{Name}'s credentials hold no {key}");

    public int Pid => _process?.Id ?? throw new InvalidOperationException("the node is not running");

    /// <summary>Spawns the node and returns the time until GET /health/ready answers 200, polled every 10 ms.</summary>
    public async Task<TimeSpan> StartAsync(CancellationToken ct)
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("the node is already running");
        }

        var clock = Stopwatch.StartNew();
        _process = Process.Start(_binary.StartInfo("run", "--config", ConfigPath))!;
        _output.Attach(_process);
        while (!await IsReadyAsync(ct))
        {
            if (_process.HasExited)
            {
                throw new BenchException($"the node exited with code {_process.ExitCode} during start; its last output:\n{_output}");
            }

            if (clock.Elapsed > ReadyTimeout)
            {
                throw new BenchException($"the node was not ready within {ReadyTimeout.TotalSeconds:0} s; its last output:\n{_output}");
            }

            await Task.Delay(PollInterval, ct);
        }

        return clock.Elapsed;
    }

    /// <summary>SIGTERM, as systemd would; a node that does not stop in time is killed with its servers.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            // The servers run in their own sessions, so a killed node would leave them behind: note them first.
            var servers = _process.HasExited ? [] : ProcFs.Descendants(_process.Id);
            if (!await _process.StopAsync(Posix.SigTerm, StopTimeout))
            {
                foreach (var pid in servers)
                {
                    Posix.Send(pid, Posix.SigKill);
                }

                throw new BenchException($"the node did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM and was killed; its last output:\n{_output}");
            }
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _http.Dispose();
            _signed?.Dispose();
            CopyLogs();
            DeleteFolders();
        }
    }

    private static string Indent(string lines) => string.Join("\n", lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<bool> IsReadyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync("/health/ready", ct);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return false; // listening, but the readiness check took longer than the client's timeout
        }
    }

    /// <summary>A folder to copy the node's log files into when it is disposed (a slow or failed run), instead of losing them with its data dir.</summary>
    public string? KeepLogsIn { get; set; }

    private void CopyLogs()
    {
        var logs = Path.Combine(DataDir, "logs");
        if (KeepLogsIn is null || !Directory.Exists(logs))
        {
            return;
        }

        var into = Path.Combine(KeepLogsIn, Name);
        Directory.CreateDirectory(into);
        foreach (var file in Directory.EnumerateFiles(logs))
        {
            File.Copy(file, Path.Combine(into, Path.GetFileName(file)), overwrite: true);
        }

        Console.WriteLine($"  kept {Name}'s logs in {into}");
    }

    private void DeleteFolders()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
            if (!Directory.EnumerateFileSystemEntries(BenchRoot).Any())
            {
                Directory.Delete(BenchRoot);
            }
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"warning: could not delete {Dir}: {ex.Message}");
        }
    }
}
