namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>A signed access token and the claims in it.</summary>
internal sealed record IssuedAccessToken(string Token, AccessToken Claims);
