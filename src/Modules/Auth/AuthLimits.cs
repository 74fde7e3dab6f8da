namespace AuroraNode.Modules.Auth;

/// <summary>The <c>modules.auth</c> keys on abuse and caching: login throttling, lockout and how long answers are reused.</summary>
/// <param name="MaxFailures">Failed logins of one username before it is locked (<c>login_max_failures</c>).</param>
/// <param name="Lockout">How long a locked username stays locked; failures count within this window too (<c>login_lockout</c>).</param>
/// <param name="PerUserPerMinute">Login attempts per username per minute, right or wrong (<c>login_rate_per_user</c>).</param>
/// <param name="PerAddressPerMinute">Login attempts per client address per minute (<c>login_rate_per_address</c>).</param>
/// <param name="SessionCheckCache">How long a node trusts its last answer on whether a session lives (<c>session_check_cache</c>).</param>
/// <param name="KeyRefresh">How often a node re-reads the signing keys from its database (<c>key_refresh</c>).</param>
internal sealed record AuthLimits(
    int MaxFailures,
    TimeSpan Lockout,
    int PerUserPerMinute,
    int PerAddressPerMinute,
    TimeSpan SessionCheckCache,
    TimeSpan KeyRefresh)
{
    /// <summary>Largest body an auth endpoint reads: a login or a user is a few hundred bytes.</summary>
    public const long MaxBodyBytes = 16 * 1024;
}
