using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuroraNode.Modules.Auth.Keys;

namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>Signs access tokens (compact JWS, ES256) with the current key of the set.</summary>
internal sealed class AccessTokenIssuer(SigningKeys keys, AccessTokenSettings settings, TimeProvider time)
{
    public IssuedAccessToken Issue(string subject, string sessionId, IReadOnlyList<string> roles)
    {
        var key = keys.Current;
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var claims = new AccessToken(subject, sessionId, roles, now, now, now + settings.Lifetime,
            Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), key.KeyId);
        return new IssuedAccessToken(Sign(key, WriteClaims(claims)), claims);
    }

    /// <summary>Signs any claims JSON with <paramref name="key"/>: the issuer's own path, and tests that need odd claims.</summary>
    internal static string Sign(SigningKey key, ReadOnlySpan<byte> claimsJson) => Sign(key.EncodedHeader, claimsJson, key.Algorithm);

    /// <summary>Signs with any header (already base64url): for tests of headers the issuer never writes.</summary>
    internal static string Sign(ReadOnlySpan<byte> encodedHeader, ReadOnlySpan<byte> claimsJson, ECDsa signer)
    {
        var inputLength = encodedHeader.Length + 1 + Base64Url.GetEncodedLength(claimsJson.Length);
        var input = ArrayPool<byte>.Shared.Rent(inputLength);
        try
        {
            encodedHeader.CopyTo(input);
            input[encodedHeader.Length] = (byte)'.';
            Base64Url.EncodeToUtf8(claimsJson, input.AsSpan(encodedHeader.Length + 1));
            Span<byte> signature = stackalloc byte[64];
            if (!signer.TrySignData(input.AsSpan(0, inputLength), signature, HashAlgorithmName.SHA256, out var written) || written != 64)
            {
                throw new CryptographicException("an ES256 signature must be 64 bytes");
            }

            return string.Concat(Encoding.ASCII.GetString(input, 0, inputLength), ".", Base64Url.EncodeToString(signature));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private byte[] WriteClaims(AccessToken claims)
    {
        var buffer = new ArrayBufferWriter<byte>(384);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("iss", settings.Issuer);
            json.WriteString("aud", settings.Audience);
            json.WriteString("sub", claims.Subject);
            json.WriteString("sid", claims.SessionId);
            json.WriteStartArray("roles");
            foreach (var role in claims.Roles)
            {
                json.WriteStringValue(role);
            }

            json.WriteEndArray();
            json.WriteNumber("iat", claims.IssuedAt.ToUnixTimeSeconds());
            json.WriteNumber("nbf", claims.NotBefore.ToUnixTimeSeconds());
            json.WriteNumber("exp", claims.Expires.ToUnixTimeSeconds());
            json.WriteString("jti", claims.Id);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
