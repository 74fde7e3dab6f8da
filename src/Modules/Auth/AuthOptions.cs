namespace AuroraNode.Modules.Auth;

/// <summary>The <c>modules.auth</c> section.</summary>
/// <param name="AccessTokenTtl">Lifetime of an access token (JWT) (<c>access_token_ttl</c>).</param>
/// <param name="RefreshTokenTtl">Lifetime of a refresh token; each refresh starts a new one (<c>refresh_token_ttl</c>).</param>
/// <param name="RefreshReuseGrace">A replaced refresh token presented again within this long counts as a concurrent refresh, not theft (<c>refresh_reuse_grace</c>).</param>
/// <param name="ClockSkew">Tolerated clock difference between nodes on token times (<c>clock_skew</c>).</param>
/// <param name="KeyRotation">How often a new signing key replaces the current one (<c>key_rotation</c>).</param>
/// <param name="Issuer">The tokens' <c>iss</c> (<c>issuer</c>).</param>
/// <param name="Audience">The tokens' <c>aud</c> (<c>audience</c>).</param>
internal sealed record AuthOptions(
    TimeSpan AccessTokenTtl,
    TimeSpan RefreshTokenTtl,
    TimeSpan RefreshReuseGrace,
    TimeSpan ClockSkew,
    TimeSpan KeyRotation,
    string Issuer,
    string Audience)
{
    /// <summary>How long a retired key must stay in the set: its last tokens are valid this long after it stops signing.</summary>
    public TimeSpan KeepRetiredKeys => AccessTokenTtl + ClockSkew;
}
