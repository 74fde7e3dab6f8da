using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Processes;

/// <summary>POSIX signals and identity calls the framework doesn't expose (the numbers are the same on Linux and macOS).</summary>
public static partial class Signals
{
    /// <summary>Interrupt: PostgreSQL's "fast shutdown".</summary>
    public const int SigInt = 2;

    /// <summary>Quit: PostgreSQL's "immediate shutdown" (every backend exits at once, crash recovery on the next start).</summary>
    public const int SigQuit = 3;

    /// <summary>Kill, cannot be caught.</summary>
    public const int SigKill = 9;

    /// <summary>Terminate: Redis saves and exits.</summary>
    public const int SigTerm = 15;

    /// <summary>True when the node runs as root.</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && GetEuid() == 0;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when there is no such process.</summary>
    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>True when a process with this id exists.</summary>
    public static bool IsAlive(int pid) => pid > 0 && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists, not ours */);

    /// <summary>
    /// True when the process exists and is not a zombie: a server orphaned by a SIGKILLed node is adopted by PID 1,
    /// which may reap it long after it exited, and until then <see cref="IsAlive"/> still finds it (Linux; elsewhere
    /// the same as <see cref="IsAlive"/>).
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return IsAlive(pid);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
