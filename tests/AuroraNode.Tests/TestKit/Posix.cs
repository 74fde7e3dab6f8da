using System.Runtime.InteropServices;

namespace AuroraNode.Tests.TestKit;

/// <summary>Signals for killing servers the way an operator or a crash would.</summary>
public static partial class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Freezes a process (a VM paused, a laptop asleep) until <see cref="SigCont"/>.</summary>
    public const int SigStop = 19;

    public const int SigCont = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    public static bool IsAlive(int pid) => Kill(pid, 0) == 0;

    /// <summary>Alive and not a zombie (an orphan PID 1 has not reaped yet), as the node itself judges it.</summary>
    public static bool IsRunning(int pid) => AuroraNode.Modules.Processes.Signals.IsRunning(pid);

    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (IsAlive(pid) && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        return !IsAlive(pid);
    }
}
