using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AuroraNode.Bench;

/// <summary>A Release aurora-node process in a temp folder, on free ports, logging warnings only.</summary>
internal sealed partial class BenchNode : IAsyncDisposable
{
    private readonly HttpClient _http;
    private Process? _process;

    public BenchNode()
    {
        Dir = Path.Combine("/tmp", "aurora-bench", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode("/tmp/aurora-bench", (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101);
        (ApiPort, PostgresPort, RedisPort) = (FreePort(), FreePort(), FreePort());
        ConfigPath = Path.Combine(Dir, "aurora-node.yaml");
        File.WriteAllText(ConfigPath, $"""
            node:
              name: bench
              roles: [lead]
              data_dir: {DataDir}
            api:
              listen: 127.0.0.1:{ApiPort}
            logging:
              level: warning
              file: false
            postgres:
              port: {PostgresPort}
            redis:
              port: {RedisPort}
            """);
        _http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
    }

    public string Dir { get; }

    public string DataDir => Path.Combine(Dir, "data");

    public string ConfigPath { get; }

    public int ApiPort { get; }

    public int PostgresPort { get; }

    public int RedisPort { get; }

    public string Url => $"http://127.0.0.1:{ApiPort}";

    public int Pid => _process!.Id;

    /// <summary>Starts the node and returns the time from spawn to /health/ready answering 200.</summary>
    public async Task<TimeSpan> StartAsync()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Repo.NodeDll, "run", "--config", ConfigPath })
        {
            info.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"  node: {e.Data}"); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the node exited with {_process.ExitCode} during start");
            }

            try
            {
                using var response = await _http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("the node was not ready within 60 s");
            }

            await Task.Delay(10);
        }
    }

    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, 15);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        Directory.Delete(Dir, recursive: true);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEuid();
}
