using System.Text.Json;

namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>Reads the claims of a token whose signature verified, and checks issuer, audience and that nothing required is missing.</summary>
internal static class TokenClaims
{
    private const long MaxNumericDate = 253_402_300_799; // 9999-12-31T23:59:59Z

    [Flags]
    private enum Seen
    {
        None = 0,
        Issuer = 1,
        Audience = 2,
        Subject = 4,
        Session = 8,
        Roles = 16,
        IssuedAt = 32,
        NotBefore = 64,
        Expires = 128,
        Id = 256,
    }

    public static TokenRefusal Read(ReadOnlySpan<byte> json, byte[] issuer, byte[] audience, string keyId, out AccessToken? token)
    {
        token = null;
        var seen = Seen.None;
        bool issuerMatches = false, audienceMatches = false;
        string? subject = null, session = null, id = null;
        List<string> roles = [];
        long issuedAt = 0, notBefore = 0, expires = 0;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TokenRefusal.BadJson;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var claim = Name(ref reader);
                if (claim == Seen.None)
                {
                    reader.Skip();
                    continue;
                }

                if ((seen & claim) != 0)
                {
                    return TokenRefusal.BadJson; // a repeated claim: which one would count is parser-dependent
                }

                seen |= claim;
                reader.Read();
                var ok = claim switch
                {
                    Seen.Issuer => ReadIssuer(ref reader, issuer, out issuerMatches),
                    Seen.Audience => ReadAudience(ref reader, audience, out audienceMatches),
                    Seen.Subject => ReadString(ref reader, out subject),
                    Seen.Session => ReadString(ref reader, out session),
                    Seen.Id => ReadString(ref reader, out id),
                    Seen.Roles => ReadRoles(ref reader, roles),
                    Seen.IssuedAt => ReadDate(ref reader, out issuedAt),
                    Seen.NotBefore => ReadDate(ref reader, out notBefore),
                    _ => ReadDate(ref reader, out expires),
                };
                if (!ok)
                {
                    return TokenRefusal.MissingClaim;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return TokenRefusal.BadJson;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return TokenRefusal.BadJson;
        }

        const Seen required = Seen.Issuer | Seen.Audience | Seen.Subject | Seen.Session | Seen.Expires | Seen.Id;
        if ((seen & required) != required)
        {
            return TokenRefusal.MissingClaim;
        }

        if (!issuerMatches)
        {
            return TokenRefusal.WrongIssuer;
        }

        if (!audienceMatches)
        {
            return TokenRefusal.WrongAudience;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(expires);
        token = new AccessToken(subject!, session!, roles,
            (seen & Seen.IssuedAt) != 0 ? DateTimeOffset.FromUnixTimeSeconds(issuedAt) : DateTimeOffset.MinValue,
            (seen & Seen.NotBefore) != 0 ? DateTimeOffset.FromUnixTimeSeconds(notBefore) : DateTimeOffset.MinValue,
            expiresAt, id!, keyId);
        return TokenRefusal.None;
    }

    private static Seen Name(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("iss"u8) ? Seen.Issuer
        : reader.ValueTextEquals("aud"u8) ? Seen.Audience
        : reader.ValueTextEquals("sub"u8) ? Seen.Subject
        : reader.ValueTextEquals("sid"u8) ? Seen.Session
        : reader.ValueTextEquals("roles"u8) ? Seen.Roles
        : reader.ValueTextEquals("iat"u8) ? Seen.IssuedAt
        : reader.ValueTextEquals("nbf"u8) ? Seen.NotBefore
        : reader.ValueTextEquals("exp"u8) ? Seen.Expires
        : reader.ValueTextEquals("jti"u8) ? Seen.Id
        : Seen.None;

    private static bool ReadString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return !string.IsNullOrEmpty(value);
    }

    private static bool ReadIssuer(ref Utf8JsonReader reader, byte[] issuer, out bool matches)
    {
        matches = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(issuer);
        return reader.TokenType == JsonTokenType.String;
    }

    private static bool ReadAudience(ref Utf8JsonReader reader, byte[] audience, out bool matches)
    {
        matches = false;
        if (reader.TokenType == JsonTokenType.String)
        {
            matches = reader.ValueTextEquals(audience);
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            matches |= reader.ValueTextEquals(audience);
        }

        return reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool ReadRoles(ref Utf8JsonReader reader, List<string> roles)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            roles.Add(reader.GetString()!);
        }

        return reader.TokenType == JsonTokenType.EndArray;
    }

    private static bool ReadDate(ref Utf8JsonReader reader, out long seconds)
    {
        seconds = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }

        if (!reader.TryGetInt64(out seconds))
        {
            // NumericDate may have a fraction; whole seconds are enough here.
            if (!reader.TryGetDouble(out var fractional) || double.IsNaN(fractional) || fractional < 0 || fractional > MaxNumericDate)
            {
                return false;
            }

            seconds = (long)Math.Floor(fractional);
        }

        return seconds is >= 0 and <= MaxNumericDate;
    }
}
