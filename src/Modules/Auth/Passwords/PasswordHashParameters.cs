namespace AuroraNode.Modules.Auth.Passwords;

/// <summary>PBKDF2-HMAC-SHA256 cost and sizes; every stored hash carries its own, so the defaults can be raised later.</summary>
/// <param name="Iterations">PBKDF2 rounds.</param>
/// <param name="SaltBytes">Random salt per hash.</param>
/// <param name="KeyBytes">Derived key length.</param>
internal sealed record PasswordHashParameters(int Iterations, int SaltBytes, int KeyBytes)
{
    /// <summary>OWASP's Password Storage Cheat Sheet figure for PBKDF2-HMAC-SHA256 (2023 onwards).</summary>
    public static PasswordHashParameters Owasp { get; } = new(600_000, 16, 32);
}
