using System.Diagnostics.CodeAnalysis;

namespace AuroraNode.Modules.Auth.Passwords;

/// <summary>
/// A parsed <c>pbkdf2-sha256$iterations$salt$hash</c> string (standard base64 without padding, as PHC strings write it).
/// </summary>
internal sealed record StoredPasswordHash(string Algorithm, int Iterations, byte[] Salt, byte[] Hash)
{
    public const string Pbkdf2Sha256 = "pbkdf2-sha256";

    // Bounds a stored value may hold: a corrupted or planted row must not make one login run for minutes.
    private const int MinIterations = 1_000;
    private const int MaxIterations = 10_000_000;

    public override string ToString() => $"{Algorithm}${Iterations}${Encode(Salt)}${Encode(Hash)}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out StoredPasswordHash? parsed)
    {
        parsed = null;
        if (text is null || text.Length > 512)
        {
            return false;
        }

        var parts = text.Split('$');
        if (parts is not [Pbkdf2Sha256, var iterationsText, var saltText, var hashText]
            || !int.TryParse(iterationsText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > MaxIterations
            || Decode(saltText) is not { Length: >= 8 } salt
            || Decode(hashText) is not { Length: >= 16 } hash)
        {
            return false;
        }

        parsed = new StoredPasswordHash(Pbkdf2Sha256, iterations, salt, hash);
        return true;
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[]? Decode(string text)
    {
        var padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        var buffer = new byte[padded.Length * 3 / 4];
        return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer[..written] : null;
    }
}
