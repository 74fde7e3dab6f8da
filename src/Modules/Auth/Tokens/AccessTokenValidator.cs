using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using AuroraNode.Modules.Auth.Keys;

namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>
/// Validates compact-JWS access tokens: size first, then the header (ES256 and a known kid only), the signature,
/// and only then the claims. Allocation-light on purpose: every request of every user goes through here.
/// </summary>
internal sealed class AccessTokenValidator
{
    private const int MaxHeaderChars = 1024;
    private const int SignatureChars = 86; // 64 bytes (r ‖ s), base64url without padding

    // Compact JWS is base64url parts and dots only; the decoder would skip whitespace and accept padding.
    private static readonly SearchValues<char> CompactChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private readonly SigningKeys _keys;
    private readonly AccessTokenSettings _settings;
    private readonly TimeProvider _time;
    private readonly byte[] _issuer;
    private readonly byte[] _audience;
    private readonly VerifiedTokenCache? _cache;

    /// <param name="cacheCapacity">Verified tokens remembered by their text; 0 verifies every signature every time.</param>
    public AccessTokenValidator(SigningKeys keys, AccessTokenSettings settings, TimeProvider time, int cacheCapacity = 10_000)
    {
        _keys = keys;
        _settings = settings;
        _time = time;
        _issuer = Encoding.UTF8.GetBytes(settings.Issuer);
        _audience = Encoding.UTF8.GetBytes(settings.Audience);
        _cache = cacheCapacity > 0 ? new VerifiedTokenCache(cacheCapacity) : null;
    }

    public TokenValidation Validate(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenValidation.Refused(TokenRefusal.Malformed);
        }

        if (token.Length > AccessTokenSettings.MaxTokenLength)
        {
            return TokenValidation.Refused(TokenRefusal.Oversized);
        }

        var keys = _keys.Snapshot;
        if (_cache?.Find(token, keys.Version) is not { } claims)
        {
            var refusal = Verify(token, keys, out var verified);
            if (refusal != TokenRefusal.None)
            {
                return TokenValidation.Refused(refusal);
            }

            claims = verified!;
            _cache?.Add(token, keys.Version, claims);
        }

        return CheckTimes(claims, _time.GetUtcNow());
    }

    private TokenRefusal Verify(string token, KeySnapshot keys, out AccessToken? claims)
    {
        claims = null;
        var text = token.AsSpan();
        if (text.ContainsAnyExcept(CompactChars))
        {
            return TokenRefusal.BadBase64;
        }

        var firstDot = text.IndexOf('.');
        var secondDot = firstDot < 0 ? -1 : text[(firstDot + 1)..].IndexOf('.') + firstDot + 1;
        if (firstDot <= 0 || secondDot <= firstDot + 1 || text[(secondDot + 1)..].Contains('.'))
        {
            return TokenRefusal.Malformed;
        }

        var headerText = text[..firstDot];
        var payloadText = text[(firstDot + 1)..secondDot];
        var signatureText = text[(secondDot + 1)..];
        if (headerText.Length > MaxHeaderChars)
        {
            return TokenRefusal.Malformed;
        }

        Span<byte> header = stackalloc byte[Base64Url.GetMaxDecodedLength(MaxHeaderChars)];
        if (!TryDecode(headerText, header, out var headerLength))
        {
            return TokenRefusal.BadBase64;
        }

        var refusal = TokenHeader.Read(header[..headerLength], keys, out var key);
        if (refusal != TokenRefusal.None)
        {
            return refusal;
        }

        if (signatureText.Length != SignatureChars)
        {
            return TokenRefusal.BadSignature;
        }

        Span<byte> signature = stackalloc byte[64];
        if (!TryDecode(signatureText, signature, out var signatureLength) || signatureLength != 64)
        {
            return TokenRefusal.BadBase64;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(secondDot + Base64Url.GetMaxDecodedLength(payloadText.Length));
        try
        {
            var input = buffer.AsSpan(0, secondDot);
            var payload = buffer.AsSpan(secondDot);
            if (!TryDecode(payloadText, payload, out var payloadLength))
            {
                return TokenRefusal.BadBase64;
            }

            if (Ascii.FromUtf16(text[..secondDot], input, out _) != OperationStatus.Done)
            {
                return TokenRefusal.BadBase64;
            }

            if (!key!.Algorithm.VerifyData(input, signature, HashAlgorithmName.SHA256))
            {
                return TokenRefusal.BadSignature;
            }

            return TokenClaims.Read(payload[..payloadLength], _issuer, _audience, key.KeyId, out claims);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Base64Url.TryDecodeFromChars throws on bad input; the status overload does not.
    private static bool TryDecode(ReadOnlySpan<char> text, Span<byte> bytes, out int written) =>
        Base64Url.DecodeFromChars(text, bytes, out var consumed, out written) == OperationStatus.Done && consumed == text.Length;

    private TokenValidation CheckTimes(AccessToken claims, DateTimeOffset now)
    {
        var skew = _settings.ClockSkew;
        if (now >= claims.Expires + skew)
        {
            return TokenValidation.Refused(TokenRefusal.Expired);
        }

        if (now + skew < claims.NotBefore || now + skew < claims.IssuedAt)
        {
            return TokenValidation.Refused(TokenRefusal.NotYetValid);
        }

        return TokenValidation.Valid(claims);
    }
}
