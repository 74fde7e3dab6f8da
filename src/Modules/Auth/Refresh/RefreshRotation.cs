using System.Collections.Immutable;

namespace AuroraNode.Modules.Auth.Refresh;

/// <summary>
/// The refresh-token rules as pure logic over <see cref="RefreshFamily"/> records: the store (Redis) keeps the records
/// and applies a decision atomically; this decides. Reusing a replaced token revokes the family (theft detection),
/// unless it was replaced less than <paramref name="reuseGrace"/> ago (two refreshes of the same client in flight).
/// </summary>
internal sealed class RefreshRotation(TimeSpan tokenLifetime, TimeSpan reuseGrace, TimeProvider time)
{
    /// <summary>A new family at login: its id (the session id) and first token.</summary>
    public (RefreshFamily Family, string Token) Start(string familyId, string userId)
    {
        var now = time.GetUtcNow();
        var token = RefreshTokens.New();
        return (new RefreshFamily(familyId, userId, RefreshTokens.Hash(token)!, now, now + tokenLifetime, []), token);
    }

    public RefreshDecision Refresh(RefreshFamily family, string? presented)
    {
        var now = time.GetUtcNow();
        if (RefreshTokens.Hash(presented) is not { } hash)
        {
            return new RefreshDecision(RefreshOutcome.Unknown, family, null);
        }

        if (family.IsRevoked)
        {
            return new RefreshDecision(RefreshOutcome.Revoked, family, null);
        }

        if (RefreshTokens.SameHash(hash, family.CurrentHash))
        {
            if (now >= family.CurrentExpiresAt)
            {
                return new RefreshDecision(RefreshOutcome.Expired, family, null);
            }

            var token = RefreshTokens.New();
            var rotated = family with
            {
                CurrentHash = RefreshTokens.Hash(token)!,
                CurrentIssuedAt = now,
                CurrentExpiresAt = now + tokenLifetime,
                Rotated = family.Rotated.Insert(0, new RotatedToken(family.CurrentHash, now)),
            };
            return new RefreshDecision(RefreshOutcome.Rotated, rotated, token) { Changed = true };
        }

        var earlier = family.Rotated.Find(r => RefreshTokens.SameHash(hash, r.Hash));
        if (earlier is null)
        {
            return new RefreshDecision(RefreshOutcome.Unknown, family, null);
        }

        if (now - earlier.RotatedAt <= reuseGrace)
        {
            return new RefreshDecision(RefreshOutcome.ConcurrentRefresh, family, null);
        }

        return new RefreshDecision(RefreshOutcome.ReuseDetected, family.Revoke(now, "refresh token reused"), null) { Changed = true };
    }

    /// <summary>Ends a family (logout, logout-all, admin revocation).</summary>
    public RefreshFamily Revoke(RefreshFamily family, string reason) => family.Revoke(time.GetUtcNow(), reason);

    /// <summary>
    /// Forgets replaced tokens older than a token's lifetime: they could not refresh anyway, and the list stays short
    /// (a replayed one that old is refused as unknown rather than as reuse).
    /// </summary>
    public RefreshFamily Trim(RefreshFamily family)
    {
        var cutoff = time.GetUtcNow() - tokenLifetime;
        return family.Rotated.Any(r => r.RotatedAt < cutoff)
            ? family with { Rotated = family.Rotated.RemoveAll(r => r.RotatedAt < cutoff) }
            : family;
    }
}
