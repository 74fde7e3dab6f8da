using System.Diagnostics;

namespace AuroraNode.Tests.TestKit;

/// <summary>The built aurora-node (the same build configuration as the tests), and a way to run CLI verbs on it.</summary>
public static class Executable
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Dll { get; } = FindDll();

    public static ProcessStartInfo StartInfo(params string[] args) => StartInfo(args, []);

    /// <summary>Runs the node under <paramref name="launcher"/> (a command that runs another, like <c>ip netns exec NS</c>).</summary>
    public static ProcessStartInfo StartInfo(string[] args, string[] launcher)
    {
        var info = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in launcher.Length > 0 ? [.. launcher[1..], "dotnet", Dll] : new[] { Dll })
        {
            info.ArgumentList.Add(a);
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    /// <summary>Runs a verb to completion.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunUnderAsync([], args);

    /// <summary>Runs a verb to completion under <paramref name="launcher"/> (e.g. inside a node's network namespace).</summary>
    public static async Task<CliResult> RunUnderAsync(string[] launcher, params string[] args)
    {
        using var p = Process.Start(StartInfo(args, launcher))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a verb with <paramref name="stdin"/> as its input and extra environment variables (e.g. <c>XDG_CONFIG_HOME</c>).</summary>
    public static Task<CliResult> RunWithInputAsync(string stdin, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunInAsync(Path.GetTempPath(), stdin, environment, args);

    /// <summary>Runs a verb in <paramref name="folder"/>, where it finds <c>./aurora-node.yaml</c> when the verb has no <c>--config</c>.</summary>
    public static async Task<CliResult> RunInAsync(string folder, string stdin, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = StartInfo(args);
        info.WorkingDirectory = folder;
        info.RedirectStandardInput = true;
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
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
