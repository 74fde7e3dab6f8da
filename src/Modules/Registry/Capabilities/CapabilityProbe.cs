using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AuroraNode.Modules.Registry.HealthReports;

namespace AuroraNode.Modules.Registry.Capabilities;

/// <summary>
/// What this machine has, detected rather than typed in: CPU, memory, disk, OS and GPUs (nvidia-smi when present;
/// on Apple Silicon the chip's GPU, which shares the machine's memory).
/// </summary>
internal static class CapabilityProbe
{
    public static Dictionary<string, object?> Detect(string dataDir, string version)
    {
        var gpus = OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? AppleSiliconGpu() : NvidiaGpus();
        var drive = SystemUsage.DriveFor(dataDir);
        return new Dictionary<string, object?>
        {
            ["cpu_model"] = CpuModel(),
            ["cpu_cores"] = Environment.ProcessorCount,
            ["ram_gb"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0, 1),
            ["disk_gb"] = drive is null ? null : Math.Round(drive.TotalSize / 1073741824.0, 1),
            ["disk_free_gb"] = drive is null ? null : Math.Round(drive.AvailableFreeSpace / 1073741824.0, 1),
            ["os"] = RuntimeInformation.OSDescription,
            ["arch"] = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            ["version"] = version,
            ["gpu"] = gpus.Count > 0,
            ["gpu_count"] = gpus.Count,
            ["gpu_type"] = gpus.Count == 0 ? null : string.Join(", ", gpus.Select(g => g.Model).Distinct()),
            ["gpu_memory"] = Math.Round(gpus.Sum(g => g.MemoryGb), 1),
            ["gpus"] = gpus.Select(g => new { model = g.Model, memory_gb = g.MemoryGb }).ToList(),
        };
    }

    private static string CpuModel()
    {
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                return line.Split(':', 2)[1].Trim();
            }
        }

        return Run("sysctl", "-n machdep.cpu.brand_string")?.Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static List<(string Model, double MemoryGb)> NvidiaGpus() =>
        Run("nvidia-smi", "--query-gpu=name,memory.total --format=csv,noheader,nounits") is { } output ? ParseNvidiaSmi(output) : [];

    /// <summary>The lines of <c>nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits</c> (memory in MiB).</summary>
    internal static List<(string Model, double MemoryGb)> ParseNvidiaSmi(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(',', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2 && double.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .Select(p => (p[0], Math.Round(double.Parse(p[1], CultureInfo.InvariantCulture) / 1024, 1)))
            .ToList();

    // The chip (e.g. "Apple M2 Pro") is the GPU; it can use the machine's unified memory.
    private static List<(string Model, double MemoryGb)> AppleSiliconGpu()
    {
        var chip = Run("sysctl", "-n machdep.cpu.brand_string")?.Trim();
        var bytes = long.TryParse(Run("sysctl", "-n hw.memsize")?.Trim(), out var b) ? b : 0;
        return chip is { Length: > 0 } ? [(chip, Math.Round(bytes / 1073741824.0, 1))] : [];
    }

    private static string? Run(string file, string args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (p is null)
            {
                return null;
            }

            var output = p.StandardOutput.ReadToEnd();
            return p.WaitForExit(5000) && p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // Not installed.
        }
    }
}
