using System.Diagnostics;
using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Router;

/// <summary>
/// Runs the scripts in tests/clients with node, after installing the pinned npm clients there (<c>npm ci</c>,
/// once per run, when node_modules is older than package-lock.json). Each script prints one JSON line.
/// </summary>
internal static class JsClients
{
    private static readonly SemaphoreSlim Installed = new(1, 1);
    private static bool installed;

    public static string Folder { get; } = Path.Combine(Executable.RepoRoot, "tests", "clients");

    public static async Task<JsonElement> RunAsync(string script, params string[] args)
    {
        await InstallAsync();
        var (code, stdout, stderr) = await RunProcessAsync("node", [Path.Combine(Folder, script), .. args], TimeSpan.FromSeconds(60));
        Assert.That(code, Is.Zero, $"node {script} failed:\n{stderr}\n{stdout}");
        return JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
    }

    private static async Task InstallAsync()
    {
        await Installed.WaitAsync();
        try
        {
            var marker = Path.Combine(Folder, "node_modules", ".package-lock.json");
            if (installed || (File.Exists(marker) && File.GetLastWriteTimeUtc(marker) >= File.GetLastWriteTimeUtc(Path.Combine(Folder, "package-lock.json"))))
            {
                installed = true;
                return;
            }

            var (code, stdout, stderr) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", Folder], TimeSpan.FromMinutes(3));
            Assert.That(code, Is.Zero, $"npm ci in {Folder} failed (node and npm must be installed: packaging/dev.sh test does it):\n{stderr}\n{stdout}");
            installed = true;
        }
        finally
        {
            Installed.Release();
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunProcessAsync(string file, string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran past {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
