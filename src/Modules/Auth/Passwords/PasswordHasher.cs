using System.Security.Cryptography;

namespace AuroraNode.Modules.Auth.Passwords;

/// <summary>
/// Hashes and verifies passwords with PBKDF2-HMAC-SHA256. A login for an unknown user runs <see cref="DummyVerify"/>
/// so that it costs as long as a real one (no user enumeration by timing).
/// </summary>
internal sealed class PasswordHasher(PasswordHashParameters parameters)
{
    private readonly byte[] _dummySalt = RandomNumberGenerator.GetBytes(parameters.SaltBytes);

    public PasswordHasher()
        : this(PasswordHashParameters.Owasp)
    {
    }

    public PasswordHashParameters Parameters => parameters;

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(parameters.SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, parameters.Iterations, HashAlgorithmName.SHA256, parameters.KeyBytes);
        return new StoredPasswordHash(StoredPasswordHash.Pbkdf2Sha256, parameters.Iterations, salt, hash).ToString();
    }

    /// <summary>True when <paramref name="password"/> matches; false for a wrong password and for a stored value that does not parse.</summary>
    public bool Verify(string password, string stored)
    {
        if (!StoredPasswordHash.TryParse(stored, out var parsed))
        {
            DummyVerify(password);
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(password, parsed.Salt, parsed.Iterations, HashAlgorithmName.SHA256, parsed.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }

    /// <summary>Does the work of a verification at the current parameters and throws the result away.</summary>
    public void DummyVerify(string password)
    {
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, _dummySalt, parameters.Iterations, HashAlgorithmName.SHA256, parameters.KeyBytes);
        CryptographicOperations.FixedTimeEquals(actual, actual);
    }

    /// <summary>True when the stored hash was made with another algorithm or weaker parameters than the current ones (rehash at the next login).</summary>
    public bool NeedsRehash(string stored) =>
        !StoredPasswordHash.TryParse(stored, out var parsed)
        || parsed.Iterations < parameters.Iterations
        || parsed.Salt.Length < parameters.SaltBytes
        || parsed.Hash.Length < parameters.KeyBytes;
}
