using System.Diagnostics.CodeAnalysis;

namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>The outcome of validating one access token: the claims, or the reason it was refused.</summary>
internal readonly record struct TokenValidation(AccessToken? Token, TokenRefusal Refusal)
{
    [MemberNotNullWhen(true, nameof(Token))]
    public bool IsValid => Refusal == TokenRefusal.None;

    public static TokenValidation Valid(AccessToken token) => new(token, TokenRefusal.None);

    public static TokenValidation Refused(TokenRefusal refusal) => new(null, refusal);
}
