namespace AuroraNode.Modules.Auth.Sessions;

/// <summary>
/// The refresh token a client holds: <c>{sid}.{secret}</c>. The sid finds the family in Redis; only the secret's hash is
/// stored (<see cref="Refresh.RefreshTokens"/>).
/// </summary>
internal static class RefreshToken
{
    public static string Compose(string sid, string secret) => $"{sid}.{secret}";

    public static bool TryParse(string? token, out string sid, out string secret)
    {
        sid = secret = "";
        var dot = token?.IndexOf('.') ?? -1;
        if (token is null || token.Length > 200 || dot <= 0 || dot == token.Length - 1 || !SessionIds.IsValid(token[..dot]))
        {
            return false;
        }

        sid = token[..dot];
        secret = token[(dot + 1)..];
        return true;
    }
}
