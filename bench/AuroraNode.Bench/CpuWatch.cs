using System.Globalization;

namespace AuroraNode.Bench;

/// <summary>
/// How much of the machine's CPU other programs used while a benchmark ran: all busy time (/proc/stat) minus that
/// of this runner and its descendants. On a shared machine it says how far to trust the figures.
/// </summary>
internal sealed class CpuWatch
{
    private readonly (long Busy, long Total) _machineAtStart = Machine();
    private readonly long _oursAtStart = Ours();

    /// <summary>Others' share of all cores since the watch started, in percent.</summary>
    public double OthersPercent()
    {
        var (busy, total) = Machine();
        var others = busy - _machineAtStart.Busy - (Ours() - _oursAtStart);
        return total == _machineAtStart.Total ? 0 : Math.Max(0, 100.0 * others / (total - _machineAtStart.Total));
    }

    // The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal ..., in clock ticks.
    private static (long Busy, long Total) Machine()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..9]
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var idle = ticks[3] + ticks[4];
        return (ticks.Sum() - idle, ticks.Sum());
    }

    // utime + stime + cutime + cstime: children that exited and were waited for count with their parent.
    private static long Ours() => ProcFs.Descendants(Environment.ProcessId).Append(Environment.ProcessId).Sum(pid =>
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return 0L;
        }
    });
}
