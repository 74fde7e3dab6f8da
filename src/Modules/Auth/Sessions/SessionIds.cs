using System.Buffers.Text;
using System.Security.Cryptography;

namespace AuroraNode.Modules.Auth.Sessions;

/// <summary>Session ids: 16 random bytes, base64url (22 characters).</summary>
internal static class SessionIds
{
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    public static bool IsValid(string? sid) => sid is { Length: 22 } && Base64Url.IsValid(sid);
}
