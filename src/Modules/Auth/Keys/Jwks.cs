using System.Text.Json;

namespace AuroraNode.Modules.Auth.Keys;

/// <summary>The public half of the key set as a JWK Set (RFC 7517), what <c>/.well-known/jwks.json</c> serves.</summary>
internal static class Jwks
{
    public static string Write(KeySnapshot keys)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            foreach (var key in keys.Keys)
            {
                json.WriteStartObject();
                json.WriteString("kty", "EC");
                json.WriteString("crv", "P-256");
                json.WriteString("x", key.X);
                json.WriteString("y", key.Y);
                json.WriteString("kid", key.KeyId);
                json.WriteString("alg", "ES256");
                json.WriteString("use", "sig");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
