namespace AuroraNode.Modules.Auth.Refresh;

/// <summary>What presenting a refresh token did.</summary>
internal enum RefreshOutcome
{
    /// <summary>It was the live token: a new one replaces it.</summary>
    Rotated,

    /// <summary>
    /// It was replaced within the grace window: the same client refreshed twice at once. Refused, but the family lives
    /// on; the client keeps the token the other request got.
    /// </summary>
    ConcurrentRefresh,

    /// <summary>It was replaced longer ago than the grace window: someone replays a stolen token. The family is revoked.</summary>
    ReuseDetected,

    /// <summary>The live token, but past its lifetime.</summary>
    Expired,

    /// <summary>The family was already ended.</summary>
    Revoked,

    /// <summary>Not a token of this family (or not a token at all).</summary>
    Unknown,
}
