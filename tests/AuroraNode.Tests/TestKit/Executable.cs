using System.Diagnostics;

namespace AuroraNode.Tests.TestKit;

/// <summary>The built aurora-node (the same build configuration as the tests), and a way to run CLI verbs on it.</summary>
public static class Executable
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Dll { get; } = FindDll();

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    /// <summary>Runs a verb to completion.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var p = Process.Start(StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AuroraNode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AuroraNode.sln not found above " + AppContext.BaseDirectory);
    }

    // Built by the test project's reference; same configuration (Debug/Release) as the tests themselves.
    private static string FindDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(RepoRoot, "src", "AuroraNode", "bin", configuration, "net10.0", "aurora-node.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build the solution first", dll);
    }
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
