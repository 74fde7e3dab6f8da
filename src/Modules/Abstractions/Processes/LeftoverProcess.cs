using System.Diagnostics;

namespace AuroraNode.Modules.Processes;

/// <summary>
/// A server left running by a node that was killed with SIGKILL (its children outlive it). Found through
/// the server's pid file, checked by name so a recycled pid is never signalled, and stopped before the
/// node starts its own.
/// </summary>
public static class LeftoverProcess
{
    /// <summary>
    /// Stops the process named in the first line of <paramref name="pidFile"/> if it is alive and its name
    /// contains <paramref name="expectedName"/>. Returns its pid when one was stopped, else null.
    /// </summary>
    public static async Task<int?> StopAsync(string pidFile, string expectedName, int signal, TimeSpan grace, CancellationToken ct)
    {
        if (!File.Exists(pidFile))
        {
            return null;
        }

        var first = File.ReadLines(pidFile).FirstOrDefault();
        if (!int.TryParse(first?.Trim(), out var pid) || pid == Environment.ProcessId || !Signals.IsRunning(pid) || !NameMatches(pid, expectedName))
        {
            return null;
        }

        Signals.Send(pid, signal);
        var deadline = Stopwatch.StartNew();
        while (Signals.IsRunning(pid) && deadline.Elapsed < grace)
        {
            await Task.Delay(50, ct);
        }

        if (Signals.IsRunning(pid))
        {
            Signals.Send(pid, Signals.SigKill);
            while (Signals.IsRunning(pid))
            {
                await Task.Delay(50, ct);
            }
        }

        return pid;
    }

    /// <summary>True when the process <paramref name="pid"/> exists and its name contains <paramref name="expectedName"/>.</summary>
    public static bool NameMatches(int pid, string expectedName)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.ProcessName.Contains(expectedName, StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
