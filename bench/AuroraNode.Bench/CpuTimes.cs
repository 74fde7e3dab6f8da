namespace AuroraNode.Bench;

/// <summary>CPU time (utime + stime, /proc) that a set of processes used between its creation and <see cref="Ms"/>.</summary>
internal sealed class CpuTimes
{
    private readonly IReadOnlyList<int> _pids;
    private readonly double[] _atStart;

    public CpuTimes(IEnumerable<int> pids)
    {
        _pids = pids.ToList();
        _atStart = _pids.Select(ProcFs.CpuMs).ToArray();
    }

    /// <summary>Each process's CPU ms since the start, in the order given.</summary>
    public double[] Each() => _pids.Select((pid, i) => ProcFs.CpuMs(pid) - _atStart[i]).ToArray();

    public double Ms() => Each().Sum();
}
