using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>Idle resident memory of the node process (not its PostgreSQL and Redis), against a bare Kestrel process.</summary>
internal static class RssBench
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(Report report)
    {
        Console.WriteLine($"rss: idle {Idle.TotalSeconds} s after ready");
        await using var node = new BenchNode();
        await node.StartAsync();
        await using var bare = await BareProcess.StartAsync();
        await Task.Delay(Idle);
        var nodeRss = Machine.RssMiB(node.Pid);
        var bareRss = Machine.RssMiB(bare.Pid);
        var children = ChildrenRss(node.DataDir);
        report.Add(new Figure("idle RSS of the node process", nodeRss, "MiB", "bare Kestrel process", bareRss, "<= 120 MB", false,
            $"PostgreSQL and Redis children together: {children:0} MiB (not counted)"));
    }

    // The node's servers carry its data dir on their command line.
    private static double ChildrenRss(string dataDir) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && SafeCmdline(pid).Contains(dataDir, StringComparison.Ordinal) && !SafeCmdline(pid).Contains("aurora-node.dll", StringComparison.Ordinal))
            .Sum(pid => SafeRss(pid));

    private static string SafeCmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static double SafeRss(int pid)
    {
        try
        {
            return Machine.RssMiB(pid);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            return 0;
        }
    }
}

/// <summary>The bare Kestrel peer, as its own process (this executable with <c>bare-kestrel</c>).</summary>
internal sealed class BareProcess : IAsyncDisposable
{
    private readonly Process _process;

    private BareProcess(Process process, int port)
    {
        _process = process;
        Url = $"http://127.0.0.1:{port}";
    }

    public int Pid => _process.Id;

    public string Url { get; }

    public static async Task<BareProcess> StartAsync()
    {
        var port = BenchNode.FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { typeof(BareProcess).Assembly.Location, "bare-kestrel", "--port", port.ToString() })
        {
            info.ArgumentList.Add(a);
        }

        var bare = new BareProcess(Process.Start(info)!, port);
        using var http = new HttpClient();
        for (var i = 0; i < 500; i++)
        {
            try
            {
                await http.GetAsync($"{bare.Url}/health/ready");
                return bare;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException("bare Kestrel did not start");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
