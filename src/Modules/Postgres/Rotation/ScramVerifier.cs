using System.Security.Cryptography;
using System.Text;

namespace AuroraNode.Modules.Postgres.Rotation;

/// <summary>
/// A SCRAM-SHA-256 verifier (RFC 5802/7677, the form <c>pg_authid</c> stores), made here so that <c>ALTER ROLE ...
/// PASSWORD</c> never carries the password itself: it can't end up in the server's log, not even with the statement of
/// an error. For ASCII passwords (the node's generated ones), where SASLprep changes nothing.
/// </summary>
internal static class ScramVerifier
{
    public const int Iterations = 4096;

    public static string Create(string password) => Create(password, RandomNumberGenerator.GetBytes(16), Iterations);

    public static string Create(string password, byte[] salt, int iterations)
    {
        if (!Ascii.IsValid(password))
        {
            throw new ArgumentException("only ASCII passwords are supported (no SASLprep here)", nameof(password));
        }

        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
