using System.Collections.Immutable;

namespace AuroraNode.Modules.Auth.Refresh;

/// <summary>
/// One login's chain of refresh tokens (the session family, <c>sid</c>): the one live token, and the hashes of every
/// token it replaced, so that a replayed old token is recognised as theft.
/// </summary>
/// <param name="Id">The session id; access tokens carry it as <c>sid</c>.</param>
/// <param name="UserId">Whose session it is.</param>
/// <param name="CurrentHash">SHA-256 of the one token that refreshes now.</param>
/// <param name="CurrentIssuedAt">When the current token was issued.</param>
/// <param name="CurrentExpiresAt">When the current token stops working (each rotation starts a new lifetime).</param>
/// <param name="Rotated">Earlier tokens, newest first, with when each was replaced.</param>
/// <param name="RevokedAt">When the family was ended (logout, reuse detected, admin); null while it lives.</param>
/// <param name="RevokedReason">Why it was ended.</param>
internal sealed record RefreshFamily(
    string Id,
    string UserId,
    string CurrentHash,
    DateTimeOffset CurrentIssuedAt,
    DateTimeOffset CurrentExpiresAt,
    ImmutableList<RotatedToken> Rotated,
    DateTimeOffset? RevokedAt = null,
    string? RevokedReason = null)
{
    public bool IsRevoked => RevokedAt is not null;

    public RefreshFamily Revoke(DateTimeOffset at, string reason) => IsRevoked ? this : this with { RevokedAt = at, RevokedReason = reason };
}

/// <summary>A refresh token that was replaced by the next one.</summary>
internal sealed record RotatedToken(string Hash, DateTimeOffset RotatedAt);
