using System.Globalization;

namespace AuroraNode.Bench;

/// <summary>What /proc says about a process: its resident memory and its descendants.</summary>
internal static class ProcFs
{
    /// <summary>VmRSS in MiB (the kernel's "kB" are KiB).</summary>
    public static double RssMiB(int pid) => KiB($"/proc/{pid}/status", "VmRSS:") / 1024;

    /// <summary>Proportional set size in MiB: shared pages divided among the processes sharing them.</summary>
    public static double PssMiB(int pid) => KiB($"/proc/{pid}/smaps_rollup", "Pss:") / 1024;

    /// <summary>The process's command name (/proc/pid/comm), or "" when it is gone.</summary>
    public static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>CPU time the process has used so far (utime + stime), in ms; 0 for a process that is gone.</summary>
    public static double CpuMs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[11..13].Sum(f => long.Parse(f, CultureInfo.InvariantCulture)) * 1000.0 / Posix.ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Children, grandchildren and so on (the node's PostgreSQL with its backends, its redis-server).</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var child) && ParentOf(child) is { } parent)
            {
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(child);
            }
        }

        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var next))
        {
            foreach (var child in children.GetValueOrDefault(next) ?? [])
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>Sum over processes that may exit meanwhile; a vanished one counts 0.</summary>
    public static double Sum(IEnumerable<int> pids, Func<int, double> measure) => pids.Sum(pid =>
    {
        try
        {
            return measure(pid);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            return 0;
        }
    });

    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static double KiB(string file, string key) =>
        double.Parse(
            File.ReadLines(file).First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture);
}
