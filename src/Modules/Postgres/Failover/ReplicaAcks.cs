namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>
/// How long each replica of the lease's Redis has gone without acknowledging anything new, from the offsets the
/// master's <c>ROLE</c> reports on each look. A replica acknowledges every second, so one that stays behind the
/// master without moving for <see cref="Silence"/> is cut off (or gone), long before Redis itself drops it (60 s).
/// </summary>
internal sealed class ReplicaAcks(TimeSpan silence)
{
    private readonly Dictionary<string, (long Offset, DateTimeOffset MovedAt)> _seen = [];

    public TimeSpan Silence { get; } = silence;

    /// <summary>Records this look; true when the master lists replicas and every one is behind and silent.</summary>
    public bool AllSilent(long masterOffset, IReadOnlyList<(string Replica, long Offset)> replicas, DateTimeOffset now)
    {
        foreach (var gone in _seen.Keys.Except(replicas.Select(r => r.Replica)).ToList())
        {
            _seen.Remove(gone);
        }

        var allSilent = replicas.Count > 0;
        foreach (var (replica, offset) in replicas)
        {
            if (!_seen.TryGetValue(replica, out var last) || last.Offset != offset)
            {
                _seen[replica] = last = (offset, now);
            }

            allSilent &= offset < masterOffset && now - last.MovedAt >= Silence;
        }

        return allSilent;
    }
}
