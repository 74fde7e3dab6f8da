using System.Globalization;
using System.Runtime.InteropServices;

namespace AuroraNode.Bench;

/// <summary>What the figures were measured on, and how busy it was when the run began.</summary>
internal sealed record Machine(int Cores, string Cpu, double MemoryGib, string Os, string Runtime, string Postgres, string Redis, string Wrk, double LoadAverage)
{
    public static async Task<Machine> DescribeAsync(CancellationToken ct) => new(
        Environment.ProcessorCount,
        Field("/proc/cpuinfo", "model name", ':') ?? "unknown",
        double.Parse(Field("/proc/meminfo", "MemTotal", ':')!.Split(' ')[0], CultureInfo.InvariantCulture) / 1024 / 1024,
        Field("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        await Command.FirstLineAsync([Path.Combine(Repo.PostgresBin, "postgres"), "--version"], ct),
        await Command.FirstLineAsync(["redis-server", "--version"], ct),
        await Command.FirstLineAsync(["wrk", "--version"], ct),
        CurrentLoadAverage());

    /// <summary>The 1-minute load average: above ~0.5 on an idle machine, something else competes for the cores.</summary>
    public static double CurrentLoadAverage() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    public override string ToString() =>
        $"{Cores} cores ({Cpu}), {MemoryGib:0.#} GiB, {Os}, {Runtime}; {Postgres}; {Redis}; load average {LoadAverage:0.00} at start";

    private static string? Field(string file, string key, char separator) => File.ReadLines(file)
        .Where(l => l.StartsWith(key, StringComparison.Ordinal))
        .Select(l => l.Split(separator, 2)[1].Trim())
        .FirstOrDefault();
}
