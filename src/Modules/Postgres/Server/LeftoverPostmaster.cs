using System.Diagnostics;
using AuroraNode.Modules.Processes;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>
/// A PostgreSQL left running on the node's data directory by a node killed with SIGKILL (its children outlive it),
/// found through <c>postmaster.pid</c> as pg_ctl and Patroni find it. Only the postmaster that wrote the file is
/// signalled: its name must be postgres and, on Linux, its working directory this data directory (a postmaster and
/// its children run in it); a pid recycled by any other process, another cluster's postgres included, is left alone.
/// Whatever of the server still runs on the directory after its postmaster exited is waited for, then killed: the
/// node never starts a second postmaster beside it.
/// </summary>
internal static class LeftoverPostmaster
{
    // PostgreSQL's own immediate shutdown SIGKILLs children that ignore SIGQUIT after 5 s.
    private static readonly TimeSpan ImmediateGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ChildrenGrace = TimeSpan.FromSeconds(5);

    /// <summary>What <c>postmaster.pid</c> in a data directory says, checked against the running processes.</summary>
    /// <param name="Pid">The pid it names, or 0 when there is no readable file.</param>
    /// <param name="Running">True when that pid is a live postmaster of this data directory.</param>
    /// <param name="Stale">True when the pid now belongs to another process (not postgres, or a postgres that runs in
    /// another directory): the postmaster that wrote the file is gone for sure.</param>
    public sealed record PidFile(int Pid, bool Running, bool Stale);

    /// <summary>Reads <c>postmaster.pid</c> in <paramref name="dataDir"/> (its first line is the postmaster's pid).</summary>
    public static PidFile Read(string dataDir)
    {
        var path = Path.Combine(dataDir, "postmaster.pid");
        var first = File.Exists(path) ? File.ReadLines(path).FirstOrDefault() : null;
        if (!int.TryParse(first?.Trim(), out var pid) || pid <= 1)
        {
            return new PidFile(0, false, false);
        }

        if (pid == Environment.ProcessId || !Signals.IsRunning(pid))
        {
            return new PidFile(pid, false, false);
        }

        // A postmaster runs in its data directory: a postgres elsewhere is another cluster's (Linux; elsewhere the
        // name alone decides, as before).
        var ours = LeftoverProcess.NameMatches(pid, "postgres") && RunsIn(pid, dataDir) != false;
        return new PidFile(pid, ours, !ours);
    }

    /// <summary>
    /// Stops the postmaster <paramref name="pid"/>: a fast shutdown (SIGINT, a clean checkpoint) waited for up to
    /// <paramref name="grace"/>, or at once an immediate one (SIGQUIT) when <paramref name="immediate"/>; an immediate
    /// one after a fast one that outlived its grace; then SIGKILL for it and anything else still running on
    /// <paramref name="dataDir"/>. Returns how it ended, for the log.
    /// </summary>
    public static async Task<string> StopAsync(int pid, string dataDir, bool immediate, TimeSpan grace, CancellationToken ct)
    {
        string how;
        if (!immediate && Signals.Send(pid, Signals.SigInt) && await GoneAsync(pid, grace, ct))
        {
            how = "fast shutdown";
        }
        else if (Signals.Send(pid, Signals.SigQuit) && !await GoneAsync(pid, ImmediateGrace, ct))
        {
            Signals.Send(pid, Signals.SigKill);
            how = "killed: it outlived an immediate shutdown";
        }
        else
        {
            how = immediate ? "immediate shutdown" : $"immediate shutdown after the fast one took over {grace.TotalSeconds:0} s";
        }

        await ClearAsync(dataDir, ct);
        return how;
    }

    /// <summary>
    /// Waits for every process still running on <paramref name="dataDir"/> (children of a postmaster that is gone hold
    /// its shared memory) to end, kills those that don't, and throws when some outlive even that.
    /// </summary>
    public static async Task ClearAsync(string dataDir, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (UsersOf(dataDir) is { Count: > 0 } users)
        {
            if (watch.Elapsed > ChildrenGrace * 2)
            {
                throw new StartupException("node.data_dir", $"processes {string.Join(", ", users)} still run on {dataDir} after the PostgreSQL left running there was stopped and killed; the node does not start a second server on it (stop them, then start the node again)");
            }

            if (watch.Elapsed > ChildrenGrace)
            {
                foreach (var user in users)
                {
                    Signals.Send(user, Signals.SigKill);
                }
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>The live postgres processes whose working directory is <paramref name="dataDir"/> (Linux; none elsewhere).</summary>
    public static IReadOnlyList<int> UsersOf(string dataDir)
    {
        if (RealPath(dataDir) is not { } real)
        {
            return [];
        }

        var users = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var pid) && pid != Environment.ProcessId && RunsInReal(pid, real) == true && LeftoverProcess.NameMatches(pid, "postgres"))
            {
                users.Add(pid);
            }
        }

        return users;
    }

    private static bool? RunsIn(int pid, string dataDir) => RealPath(dataDir) is { } real ? RunsInReal(pid, real) : null;

    // True or false from /proc/PID/cwd; null where that can't be read (the process is gone or a zombie).
    private static bool? RunsInReal(int pid, string realDir)
    {
        try
        {
            var cwd = new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
            return cwd is null ? null : string.Equals(Path.TrimEndingDirectorySeparator(cwd), realDir, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // The data directory's path with every symbolic link resolved, as /proc shows working directories (Linux): what
    // the kernel names the file opened through it. Null elsewhere, or without a cluster there.
    private static string? RealPath(string dataDir)
    {
        var marker = Path.Combine(dataDir, "PG_VERSION");
        if (!Directory.Exists("/proc/self/fd") || !File.Exists(marker))
        {
            return null;
        }

        try
        {
            using var handle = File.OpenHandle(marker);
            var real = new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
            return real is null ? null : Path.TrimEndingDirectorySeparator(Path.GetDirectoryName(real)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<bool> GoneAsync(int pid, TimeSpan grace, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (Signals.IsRunning(pid))
        {
            if (watch.Elapsed >= grace)
            {
                return false;
            }

            await Task.Delay(50, ct);
        }

        return true;
    }
}
