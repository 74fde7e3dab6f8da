using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Auth.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace AuroraNode.Tests.Auth;

/// <summary>A key set, issuer and validator on a fake clock, and helpers that forge tokens the issuer would never write.</summary>
internal sealed class TokenKit
{
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public TokenKit(int cacheCapacity = 10_000)
    {
        Keys = new SigningKeys(Time);
        Issuer = new AccessTokenIssuer(Keys, Settings, Time);
        Validator = new AccessTokenValidator(Keys, Settings, Time, cacheCapacity);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public AccessTokenSettings Settings { get; } = new("aurora-test", "aurora-api", TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(30));

    public SigningKeys Keys { get; }

    public AccessTokenIssuer Issuer { get; }

    public AccessTokenValidator Validator { get; }

    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();

    public string Valid() => Issuer.Issue("alice", "s-1", ["user"]).Token;

    /// <summary>The claims the issuer writes, as a dictionary to change before signing.</summary>
    public Dictionary<string, object?> Claims() => new()
    {
        ["iss"] = Settings.Issuer,
        ["aud"] = Settings.Audience,
        ["sub"] = "alice",
        ["sid"] = "s-1",
        ["roles"] = new[] { "user" },
        ["iat"] = Now,
        ["nbf"] = Now,
        ["exp"] = Now + 1800,
        ["jti"] = "j-1",
    };

    public Dictionary<string, object?> Claims(Action<Dictionary<string, object?>> change)
    {
        var claims = Claims();
        change(claims);
        return claims;
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);

    public static string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    /// <summary>Claims signed correctly with the current key (its own header).</summary>
    public string Signed(Dictionary<string, object?> claims) => SignedRaw(Json(claims));

    public string SignedRaw(string claimsJson) => AccessTokenIssuer.Sign(Keys.Current, Encoding.UTF8.GetBytes(claimsJson));

    /// <summary>Any header and claims, ES256-signed with <paramref name="signer"/> (the current key when null).</summary>
    public string SignedWithHeader(string headerJson, string claimsJson, ECDsa? signer = null) =>
        AccessTokenIssuer.Sign(Encoding.ASCII.GetBytes(B64(headerJson)), Encoding.UTF8.GetBytes(claimsJson), signer ?? Keys.Current.Algorithm);

    /// <summary>HS256 over header.claims with <paramref name="secret"/>: the algorithm-confusion forgery.</summary>
    public static string Hmac(string headerJson, string claimsJson, byte[] secret)
    {
        var input = $"{B64(headerJson)}.{B64(claimsJson)}";
        return $"{input}.{Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)))}";
    }

    public string OurHeader(string alg = "ES256") => Json(new { alg, typ = "JWT", kid = Keys.Current.KeyId });
}
