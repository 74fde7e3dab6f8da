using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AuroraNode.Modules.Auth.Keys;

/// <summary>
/// One ES256 (ECDSA P-256) key of the mesh. Its <see cref="KeyId"/> is the RFC 7638 JWK thumbprint, so every node
/// derives the same kid from the same key.
/// </summary>
internal sealed record SigningKey
{
    private SigningKey(ECDsa algorithm, DateTimeOffset createdAt, DateTimeOffset? retiredAt)
    {
        Algorithm = algorithm;
        CreatedAt = createdAt;
        RetiredAt = retiredAt;
        var p = algorithm.ExportParameters(includePrivateParameters: false);
        X = Base64Url.EncodeToString(p.Q.X);
        Y = Base64Url.EncodeToString(p.Q.Y);
        KeyId = Thumbprint(X, Y);
        KeyIdUtf8 = Encoding.UTF8.GetBytes(KeyId);
        EncodedHeader = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","typ":"JWT","kid":"{{KeyId}}"}""")));
    }

    public string KeyId { get; }

    /// <summary>The key; holds the private part for keys of the mesh.</summary>
    public ECDsa Algorithm { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>When a newer key replaced it for signing; it still verifies until its last tokens expire.</summary>
    public DateTimeOffset? RetiredAt { get; init; }

    /// <summary>The public point's coordinates, base64url (JWK <c>x</c>, <c>y</c>).</summary>
    public string X { get; }

    public string Y { get; }

    internal byte[] KeyIdUtf8 { get; }

    /// <summary>The base64url-encoded JWS header every token of this key starts with.</summary>
    internal byte[] EncodedHeader { get; }

    public static SigningKey Create(DateTimeOffset createdAt) => new(ECDsa.Create(ECCurve.NamedCurves.nistP256), createdAt, null);

    /// <summary>A key stored as PKCS#8 (after <see cref="KeyEncryption.Open"/>).</summary>
    public static SigningKey FromPkcs8(ReadOnlySpan<byte> pkcs8, DateTimeOffset createdAt, DateTimeOffset? retiredAt)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CryptographicException($"a signing key must be ECDSA P-256, this one has {key.KeySize} bits");
        }

        return new SigningKey(key, createdAt, retiredAt);
    }

    public byte[] ExportPkcs8() => Algorithm.ExportPkcs8PrivateKey();

    private static string Thumbprint(string x, string y)
    {
        // RFC 7638: the required members in lexicographic order, no whitespace.
        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
