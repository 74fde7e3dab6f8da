using System.Runtime.InteropServices;

namespace AuroraNode.Bench;

/// <summary>The POSIX calls the framework doesn't expose: signals to a pid, whether we run as root, the clock tick.</summary>
internal static partial class Posix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static bool IsRoot => GetEuid() == 0;

    /// <summary>The OS user PostgreSQL runs as when the runner is root (PostgreSQL refuses root), as the node's does.</summary>
    public const string PostgresOsUser = "aurora";

    /// <summary><paramref name="command"/> run as <see cref="PostgresOsUser"/> through setpriv when root, else as it is.</summary>
    public static string[] AsPostgresUser(params string[] command) => IsRoot
        ? ["setpriv", $"--reuid={PostgresOsUser}", $"--regid={PostgresOsUser}", "--init-groups", "--", .. command]
        : command;

    /// <summary>The unit of CPU times in /proc (sysconf(_SC_CLK_TCK), 100 on Linux).</summary>
    public static long ClockTicksPerSecond { get; } = SysConf(2);

    public static bool Send(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    public static bool IsAlive(int pid) => pid > 0 && Kill(pid, 0) == 0;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
