using System.Text.Json;
using AuroraNode.Modules.Auth.Keys;

namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>Reads a JWS header and picks the key it names; only ES256 with a known <c>kid</c> and no <c>crit</c> passes.</summary>
internal static class TokenHeader
{
    public static TokenRefusal Read(ReadOnlySpan<byte> json, KeySnapshot keys, out SigningKey? key)
    {
        key = null;
        string? otherAlgorithm = null;
        bool hasAlgorithm = false, isEs256 = false, hasKeyId = false, hasCrit = false;
        SigningKey? named = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TokenRefusal.BadJson;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    if (hasAlgorithm || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return TokenRefusal.BadJson;
                    }

                    hasAlgorithm = true;
                    isEs256 = reader.ValueTextEquals("ES256"u8);
                    otherAlgorithm = isEs256 ? null : reader.GetString();
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    if (hasKeyId || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return TokenRefusal.BadJson;
                    }

                    hasKeyId = true;
                    foreach (var candidate in keys.Keys)
                    {
                        if (reader.ValueTextEquals(candidate.KeyIdUtf8))
                        {
                            named = candidate;
                        }
                    }
                }
                else
                {
                    hasCrit |= reader.ValueTextEquals("crit"u8);
                    reader.Skip();
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

        if (!hasAlgorithm)
        {
            return TokenRefusal.MissingAlgorithm;
        }

        if (!isEs256)
        {
            return otherAlgorithm switch
            {
                _ when string.Equals(otherAlgorithm, "none", StringComparison.OrdinalIgnoreCase) => TokenRefusal.AlgNone,
                _ when otherAlgorithm?.StartsWith("HS", StringComparison.OrdinalIgnoreCase) == true => TokenRefusal.SymmetricAlgorithm,
                _ => TokenRefusal.UnsupportedAlgorithm,
            };
        }

        if (hasCrit)
        {
            return TokenRefusal.CriticalHeader;
        }

        if (!hasKeyId)
        {
            return TokenRefusal.MissingKeyId;
        }

        key = named;
        return named is null ? TokenRefusal.UnknownKeyId : TokenRefusal.None;
    }
}
