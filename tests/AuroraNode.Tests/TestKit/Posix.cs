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

    /// <summary>
    /// Alive and not a zombie: a server orphaned by a SIGKILLed node is adopted by PID 1, which may reap it only
    /// much later, and until then signal 0 still finds it.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        if (!IsAlive(pid))
        {
            return false;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return IsAlive(pid);
        }
    }

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
