namespace AuroraNode.Modules.Auth.Refresh;

/// <summary>The outcome of a refresh, the family as it must now be stored, and the new token when one was issued.</summary>
internal sealed record RefreshDecision(RefreshOutcome Outcome, RefreshFamily Family, string? NewToken)
{
    /// <summary>True when the stored family must be replaced with <see cref="Family"/>.</summary>
    public bool Changed { get; init; }
}
