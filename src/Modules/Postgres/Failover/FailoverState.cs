namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>What the supervisor knows of the lease, for the parts of the module that may only act on the primary that holds it.</summary>
internal sealed class FailoverState(PostgresOptions options, LeaderLease lease, TimeProvider time)
{
    private DateTimeOffset? _writesAllowedUntil;

    /// <summary>The node that held the lease at the last look, or null.</summary>
    public string? Leader { get; private set; }

    /// <summary>True when failover is on and the node has a Redis to keep the lease in.</summary>
    public bool Active => options.Failover.Enabled && lease.Available;

    /// <summary>
    /// This primary may take writes and change its synchronous standby: it renewed its lease recently enough that
    /// nobody can have taken it over. Always true when failover is off.
    /// </summary>
    public bool HoldsLease => !Active || time.GetUtcNow() < _writesAllowedUntil;

    /// <summary>True once this node renewed the lease and until it lost it: the watchdog has a deadline to keep.</summary>
    public bool HasDeadline => _writesAllowedUntil is not null;

    /// <summary>A renewal sent at <paramref name="sentAt"/> succeeded (the lease lives a TTL from when Redis got it, which is later).</summary>
    public void Renewed(string node, DateTimeOffset sentAt)
    {
        Leader = node;
        _writesAllowedUntil = sentAt + options.Failover.FenceAfter;
    }

    public void Lost(string? leader)
    {
        Leader = leader;
        _writesAllowedUntil = null;
    }

    /// <summary>When this primary must be fenced if it has not renewed by then; already past when it never renewed.</summary>
    public DateTimeOffset FenceAt => _writesAllowedUntil ?? DateTimeOffset.MinValue;

    public void Saw(string? leader) => Leader = leader;
}
