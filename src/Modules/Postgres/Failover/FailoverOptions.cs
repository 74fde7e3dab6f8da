namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>
/// Automatic failover, Patroni's way: the primary renews a leader lease in Redis every <see cref="LoopWait"/>; it
/// stops taking writes when it could not renew for <see cref="Ttl"/> − <see cref="RetryTimeout"/>, before the lease
/// can expire; when the lease has expired the synchronous standby promotes itself.
/// </summary>
/// <param name="Enabled">The node takes part in leader election (<c>postgres.failover</c>).</param>
/// <param name="Ttl">How long the lease lives unless renewed (<c>postgres.ttl</c>).</param>
/// <param name="LoopWait">How often the supervisor looks at the lease and the server (<c>postgres.loop_wait</c>).</param>
/// <param name="RetryTimeout">How long one call to Redis or PostgreSQL may take (<c>postgres.retry_timeout</c>).</param>
/// <param name="MaximumLagOnFailover">With <see cref="AllowDataLoss"/>, how far (bytes) behind the lost primary a replica may be and still promote.</param>
/// <param name="AllowDataLoss">When the synchronous standby is gone too, the most advanced replica may promote and lose what it lacks (<c>postgres.failover_allow_loss</c>).</param>
internal sealed record FailoverOptions(bool Enabled, TimeSpan Ttl, TimeSpan LoopWait, TimeSpan RetryTimeout, long MaximumLagOnFailover, bool AllowDataLoss)
{
    public static readonly FailoverOptions Default = new(true, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 1024 * 1024, false);

    /// <summary>The primary stops taking writes this long after its last successful renewal was sent.</summary>
    public TimeSpan FenceAfter => Ttl - RetryTimeout;
}
