using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// A real aurora-node process started with <c>run --config</c>. Output is captured for assertions and for the
/// test log. Disposing stops it with SIGTERM (then SIGKILL) and kills whatever it left in its folder.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;
    private bool _disposed;

    public NodeProcess(NodeConfigFile config)
    {
        Config = config;
        Http = OperatorSigning.Client(config, TimeSpan.FromSeconds(10));
    }

    public NodeConfigFile Config { get; }

    /// <summary>Arguments added after <c>run --config PATH</c>.</summary>
    public string[] ExtraArgs { get; init; } = [];

    /// <summary>Environment variables the process gets besides the test's own (e.g. a test-only fault hook).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>A command the node runs under, e.g. <see cref="TestNetwork.Launcher"/>'s <c>ip netns exec NS</c>.</summary>
    public string[] Launcher { get; init; } = [];

    /// <summary>A client of the node's API that signs as the node's operator (<see cref="OperatorSigning"/>).</summary>
    public HttpClient Http { get; }

    public int Pid => _process?.Id ?? throw new InvalidOperationException("not started");

    public bool HasExited => _process?.HasExited ?? true;

    public int ExitCode => _process!.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Writes the config and starts the process (does not wait for readiness).</summary>
    public void Start()
    {
        Config.Write();
        var info = Executable.StartInfo(["run", "--config", Config.Path, .. ExtraArgs], Launcher);
        foreach (var (key, value) in Environment)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts the node and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task StartAndWaitReadyAsync(TimeSpan? timeout = null)
    {
        Start();
        await WaitReadyAsync(timeout);
    }

    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        while (deadline.Elapsed < limit)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"node {Config.Name} exited with {ExitCode} before it was ready:\n{Output}");
            }

            if (await IsReadyAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"node {Config.Name} not ready within {limit.TotalSeconds} s:\n{Output}");
    }

    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/health/ready");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path) =>
        await Http.GetFromJsonAsync<JsonElement>(path);

    /// <summary>The module entry of <c>GET /api/v1/node</c>.</summary>
    public async Task<JsonElement> ModuleAsync(string name) =>
        (await GetJsonAsync("/api/v1/node")).GetProperty("modules").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);

    /// <summary>Waits for the process to exit by itself (a start-up failure) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process!.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task<int> StopAsync(int signal = 15)
    {
        if (_process is null || _process.HasExited)
        {
            return _process?.ExitCode ?? 0;
        }

        _ = Posix.Kill(_process.Id, signal);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        ProcessCleanup.KillEverythingUnder(System.IO.Path.GetDirectoryName(Config.Path)!);
        _process?.Dispose();
        Http.Dispose();
        if (NUnit.Framework.TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            await NUnit.Framework.TestContext.Out.WriteLineAsync($"--- output of node {Config.Name}\n{Output}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
