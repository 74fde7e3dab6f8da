using System.ComponentModel;
using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>Runs a command to its end and returns its exit code and output (stdout, then stderr).</summary>
internal static class Command
{
    public static async Task<(int Code, string Output)> RunAsync(IReadOnlyList<string> command, CancellationToken ct)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception ex)
        {
            throw new BenchException($"cannot run {command[0]}: {ex.Message}; install it (see bench/README.md)");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, (await stdout + await stderr).Trim());
        }
    }

    /// <summary>The command's first output line, or "unknown" when it cannot run.</summary>
    public static async Task<string> FirstLineAsync(string[] command, CancellationToken ct)
    {
        try
        {
            var (_, output) = await RunAsync(command, ct);
            return output.Split('\n')[0];
        }
        catch (BenchException)
        {
            return "unknown";
        }
    }
}
