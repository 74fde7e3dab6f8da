namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>The claims of an access token that verified.</summary>
/// <param name="Subject">The user (<c>sub</c>).</param>
/// <param name="SessionId">The session family (<c>sid</c>): what a logout revokes.</param>
/// <param name="Roles">The user's roles at issue time (<c>roles</c>).</param>
/// <param name="Id">The token's own id (<c>jti</c>).</param>
/// <param name="KeyId">The signing key (<c>kid</c> of the header).</param>
internal sealed record AccessToken(
    string Subject,
    string SessionId,
    IReadOnlyList<string> Roles,
    DateTimeOffset IssuedAt,
    DateTimeOffset NotBefore,
    DateTimeOffset Expires,
    string Id,
    string KeyId);
