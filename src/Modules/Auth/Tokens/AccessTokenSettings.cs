namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>What access tokens say and how strictly they are checked.</summary>
/// <param name="Issuer">The <c>iss</c> written and required.</param>
/// <param name="Audience">The <c>aud</c> written and required.</param>
/// <param name="Lifetime">From issue to <c>exp</c>.</param>
/// <param name="ClockSkew">Tolerated difference between nodes' clocks on <c>exp</c>, <c>nbf</c> and <c>iat</c>.</param>
internal sealed record AccessTokenSettings(string Issuer, string Audience, TimeSpan Lifetime, TimeSpan ClockSkew)
{
    /// <summary>Longer tokens are refused before parsing (ours are ~500 characters).</summary>
    public const int MaxTokenLength = 8 * 1024;
}
