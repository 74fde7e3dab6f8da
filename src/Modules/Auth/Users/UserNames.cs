using System.Text.RegularExpressions;

namespace AuroraNode.Modules.Auth.Users;

/// <summary>User names: lower-case, so the name in a token, a session key and the table is always the same string.</summary>
internal static partial class UserNames
{
    public const string Rule = "1 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    public static partial Regex Valid();

    /// <summary>What a person typed at login, in the stored form.</summary>
    public static string Normalize(string? name) => (name ?? "").Trim().ToLowerInvariant();
}
