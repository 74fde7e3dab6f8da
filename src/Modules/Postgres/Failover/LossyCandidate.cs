namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>Whether this node may promote when the lost primary had no synchronous standby (only with <c>failover_allow_loss</c>).</summary>
internal sealed record LossyVerdict(bool Promote, long MissingBytes, string? Refusal);

/// <summary>
/// The choice when no replica is sure to hold every commit: never while the synchronous standby still reports; then
/// only the most advanced replica that reported lately (ties go to the lower name, so exactly one node wins), and
/// only if it lacks at most <c>maximum_lag_on_failover</c> of what the lost primary last reported.
/// </summary>
internal static class LossyCandidate
{
    public static LossyVerdict Decide(IReadOnlyList<WalPosition> positions, string self, long selfLsn, string? lostPrimary, string? syncStandby, DateTimeOffset now, FailoverOptions failover)
    {
        var live = positions.Where(p => p.Node != lostPrimary && now - p.At < failover.Ttl).ToList();
        if (syncStandby is not null && live.Any(p => p.Node == syncStandby))
        {
            return new LossyVerdict(false, 0, null); // The synchronous standby still reports: it promotes without loss.
        }

        var best = live
            .Select(p => p.Node == self ? p with { Lsn = selfLsn } : p)
            .Append(new WalPosition(self, selfLsn, now))
            .DistinctBy(p => p.Node)
            .OrderByDescending(p => p.Lsn).ThenBy(p => p.Node, StringComparer.Ordinal)
            .First();
        if (best.Node != self)
        {
            return new LossyVerdict(false, 0, null); // Another replica has more: it promotes, and this one follows it.
        }

        var primaryLsn = positions.FirstOrDefault(p => p.Node == lostPrimary)?.Lsn ?? selfLsn;
        var missing = Math.Max(0, primaryLsn - selfLsn);
        return missing > failover.MaximumLagOnFailover
            ? new LossyVerdict(false, missing, $"the most advanced replica {self} is {missing} bytes behind the lost primary, more than postgres.maximum_lag_on_failover ({failover.MaximumLagOnFailover})")
            : new LossyVerdict(true, missing, null);
    }
}
