namespace AuroraNode.Modules.Registry.HealthReports;

/// <summary>CPU, memory and disk use of this machine, from /proc (Linux); null where it can't be read.</summary>
internal sealed class SystemUsage
{
    private (long Idle, long Total)? _lastCpu;

    /// <summary>CPU use since the previous call, in percent.</summary>
    public double? CpuPercent()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        var total = fields.Sum();
        var previous = _lastCpu;
        _lastCpu = (idle, total);
        if (previous is not { } p || total == p.Total)
        {
            return null;
        }

        return Math.Round(100.0 * (1 - (double)(idle - p.Idle) / (total - p.Total)), 1);
    }

    public static double? MemoryPercent()
    {
        if (!File.Exists("/proc/meminfo"))
        {
            return null;
        }

        var values = File.ReadLines("/proc/meminfo")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => double.Parse(p[1].Trim().Split(' ')[0]));
        return values.TryGetValue("MemTotal", out var total) && values.TryGetValue("MemAvailable", out var available) && total > 0
            ? Math.Round(100 * (1 - available / total), 1)
            : null;
    }

    public static double? DiskPercent(string path) =>
        DriveFor(path) is { TotalSize: > 0 } drive ? Math.Round(100.0 * (drive.TotalSize - drive.AvailableFreeSpace) / drive.TotalSize, 1) : null;

    /// <summary>The mounted file system that holds <paramref name="path"/> (the longest matching mount point).</summary>
    public static DriveInfo? DriveFor(string path)
    {
        var full = Path.GetFullPath(path);
        return DriveInfo.GetDrives()
            .Where(d => d.IsReady && full.StartsWith(d.RootDirectory.FullName, StringComparison.Ordinal))
            .OrderByDescending(d => d.RootDirectory.FullName.Length)
            .FirstOrDefault();
    }
}
