using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AuroraNode.Modules.Auth.Refresh;

/// <summary>Opaque refresh tokens: 32 random bytes, base64url. Only their SHA-256 is ever stored.</summary>
internal static class RefreshTokens
{
    public const int TokenChars = 43; // 32 bytes, base64url without padding

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The stored form of a token (SHA-256, base64url); null for anything that cannot be one of ours.</summary>
    public static string? Hash(string? token)
    {
        if (token is not { Length: TokenChars } || !Base64Url.IsValid(token))
        {
            return null;
        }

        return Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
    }

    /// <summary>Compares two stored hashes without leaking where they differ.</summary>
    public static bool SameHash(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
