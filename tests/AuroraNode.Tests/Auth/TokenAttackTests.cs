using System.Security.Cryptography;
using System.Text;
using AuroraNode.Modules.Auth.Tokens;

namespace AuroraNode.Tests.Auth;

/// <summary>The attack table: every forged token is refused, each with the reason that names the attack.</summary>
public sealed class TokenAttackTests
{
    private static readonly TokenAttack[] Attacks =
    [
        new("alg none, empty signature", k => $"{TokenKit.B64("""{"alg":"none","typ":"JWT"}""")}.{TokenKit.B64(TokenKit.Json(k.Claims()))}.", TokenRefusal.AlgNone),
        new("alg None, capitalised, with our kid", k => $"{TokenKit.B64(k.OurHeader("None"))}.{TokenKit.B64(TokenKit.Json(k.Claims()))}.", TokenRefusal.AlgNone),
        new("alg NONE with a valid ES256 signature part", k => ReplaceHeader(k.Valid(), k.OurHeader("NONE")), TokenRefusal.AlgNone),
        new("HS256 signed with the public key (SubjectPublicKeyInfo DER) as secret", k => TokenKit.Hmac(k.OurHeader("HS256"), TokenKit.Json(k.Claims()), k.Keys.Current.Algorithm.ExportSubjectPublicKeyInfo()), TokenRefusal.SymmetricAlgorithm),
        new("HS256 signed with the public key (PEM) as secret", k => TokenKit.Hmac(k.OurHeader("HS256"), TokenKit.Json(k.Claims()), Encoding.ASCII.GetBytes(k.Keys.Current.Algorithm.ExportSubjectPublicKeyInfoPem())), TokenRefusal.SymmetricAlgorithm),
        new("HS512 signed with the JWKS x coordinate as secret", k => TokenKit.Hmac(k.OurHeader("HS512"), TokenKit.Json(k.Claims()), Encoding.ASCII.GetBytes(k.Keys.Current.X)), TokenRefusal.SymmetricAlgorithm),
        new("RS256", k => ReplaceHeader(k.Valid(), k.OurHeader("RS256")), TokenRefusal.UnsupportedAlgorithm),
        new("ES384", k => ReplaceHeader(k.Valid(), k.OurHeader("ES384")), TokenRefusal.UnsupportedAlgorithm),
        new("es256 in lower case", k => ReplaceHeader(k.Valid(), k.OurHeader("es256")), TokenRefusal.UnsupportedAlgorithm),
        new("EdDSA", k => ReplaceHeader(k.Valid(), k.OurHeader("EdDSA")), TokenRefusal.UnsupportedAlgorithm),
        new("no alg", k => k.SignedWithHeader(TokenKit.Json(new { typ = "JWT", kid = k.Keys.Current.KeyId }), TokenKit.Json(k.Claims())), TokenRefusal.MissingAlgorithm),
        new("crit header extension", k => k.SignedWithHeader(TokenKit.Json(new { alg = "ES256", kid = k.Keys.Current.KeyId, crit = new[] { "exp" } }), TokenKit.Json(k.Claims())), TokenRefusal.CriticalHeader),
        new("no kid", k => k.SignedWithHeader("""{"alg":"ES256","typ":"JWT"}""", TokenKit.Json(k.Claims())), TokenRefusal.MissingKeyId),
        new("unknown kid, signed with the attacker's key", k => AttackerSigned(k, "attacker-key"), TokenRefusal.UnknownKeyId),
        new("our kid, signed with the attacker's key and carrying it as jwk", k => AttackerSigned(k, k.Keys.Current.KeyId, embedJwk: true), TokenRefusal.BadSignature),
        new("tampered payload: role user → admin", k => ReplacePayload(k.Valid(), TokenKit.Json(k.Claims(c => c["roles"] = new[] { "admin" }))), TokenRefusal.BadSignature),
        new("tampered payload: exp pushed a year ahead", k => ReplacePayload(k.Valid(), TokenKit.Json(k.Claims(c => c["exp"] = k.Now + 31_536_000))), TokenRefusal.BadSignature),
        new("tampered signature: one bit flipped", k => FlipSignatureBit(k.Valid()), TokenRefusal.BadSignature),
        new("tampered signature: another token's", k => SwapSignature(k.Valid(), k.Issuer.Issue("bob", "s-2", ["admin"]).Token), TokenRefusal.BadSignature),
        new("signature truncated", k => k.Valid()[..^4], TokenRefusal.BadSignature),
        new("signature in DER form instead of r‖s", k => DerSigned(k), TokenRefusal.BadSignature),
        new("signature part not base64url", k => k.Valid()[..^86] + new string('*', 86), TokenRefusal.BadBase64),
        new("expired a minute past the skew", k => k.Signed(k.Claims(c => c["exp"] = k.Now - 90)), TokenRefusal.Expired),
        new("not valid for five minutes (nbf)", k => k.Signed(k.Claims(c => c["nbf"] = k.Now + 300)), TokenRefusal.NotYetValid),
        new("issued in the future (iat)", k => k.Signed(k.Claims(c => c["iat"] = k.Now + 300)), TokenRefusal.NotYetValid),
        new("wrong issuer", k => k.Signed(k.Claims(c => c["iss"] = "someone-else")), TokenRefusal.WrongIssuer),
        new("issuer differing only in case", k => k.Signed(k.Claims(c => c["iss"] = "Aurora-Test")), TokenRefusal.WrongIssuer),
        new("wrong audience", k => k.Signed(k.Claims(c => c["aud"] = "another-api")), TokenRefusal.WrongAudience),
        new("audience list without ours", k => k.Signed(k.Claims(c => c["aud"] = new[] { "a", "b" })), TokenRefusal.WrongAudience),
        new("no sub", k => k.Signed(k.Claims(c => c.Remove("sub"))), TokenRefusal.MissingClaim),
        new("no sid", k => k.Signed(k.Claims(c => c.Remove("sid"))), TokenRefusal.MissingClaim),
        new("no exp", k => k.Signed(k.Claims(c => c.Remove("exp"))), TokenRefusal.MissingClaim),
        new("exp as a string", k => k.Signed(k.Claims(c => c["exp"] = "9999999999")), TokenRefusal.MissingClaim),
        new("sub as a number", k => k.Signed(k.Claims(c => c["sub"] = 42)), TokenRefusal.MissingClaim),
        new("sub twice (parser confusion)", k => k.SignedRaw(TokenKit.Json(k.Claims())[..^1] + ""","sub":"admin"}"""), TokenRefusal.BadJson),
        new("claims not JSON, correctly signed", k => k.SignedRaw("not json"), TokenRefusal.BadJson),
        new("claims a JSON array, correctly signed", k => k.SignedRaw("[1,2]"), TokenRefusal.BadJson),
        new("claims with trailing garbage, correctly signed", k => k.SignedRaw(TokenKit.Json(k.Claims()) + "{}"), TokenRefusal.BadJson),
        new("header not JSON", k => ReplaceHeaderRaw(k.Valid(), TokenKit.B64("{alg:ES256")), TokenRefusal.BadJson),
        new("header kid not a string", k => k.SignedWithHeader("""{"alg":"ES256","kid":7}""", TokenKit.Json(k.Claims())), TokenRefusal.BadJson),
        new("header alg twice", k => k.SignedWithHeader($$"""{"alg":"none","alg":"ES256","kid":"{{k.Keys.Current.KeyId}}"}""", TokenKit.Json(k.Claims())), TokenRefusal.BadJson),
        new("header not base64url", k => ReplaceHeaderRaw(k.Valid(), "eyJ!!!"), TokenRefusal.BadBase64),
        new("claims not base64url", k => ReplacePayloadRaw(k.Valid(), "e30$%"), TokenRefusal.BadBase64),
        new("a space inside the claims part", k => ReplacePayloadRaw(k.Valid(), Parts(k.Valid())[1].Insert(8, " ")), TokenRefusal.BadBase64),
        new("a line break inside the header part", k => ReplaceHeaderRaw(k.Valid(), Parts(k.Valid())[0].Insert(4, "\n")), TokenRefusal.BadBase64),
        new("two parts only", k => k.Valid()[..k.Valid().LastIndexOf('.')], TokenRefusal.Malformed),
        new("five parts (a JWE)", k => k.Valid() + ".a.b", TokenRefusal.Malformed),
        new("empty header part", k => k.Valid()[k.Valid().IndexOf('.')..], TokenRefusal.Malformed),
        new("empty string", _ => "", TokenRefusal.Malformed),
        new("oversized: 9 KB of claims", k => k.Signed(k.Claims(c => c["pad"] = new string('x', 9 * 1024))), TokenRefusal.Oversized),
        new("oversized: one character over the limit", k => new string('a', AccessTokenSettings.MaxTokenLength + 1), TokenRefusal.Oversized),
        new("oversized: 1 MB", _ => new string('.', 1024 * 1024), TokenRefusal.Oversized),
    ];

    private static IEnumerable<TestCaseData> AttackCases =>
        Attacks.Select(a => new TestCaseData(a.Name).SetArgDisplayNames($"{a.Name} → {a.Expected}"));

    [TestCaseSource(nameof(AttackCases))]
    public void Validate_ForgedToken_RefusedWithItsReason(string attack)
    {
        var row = Attacks.Single(a => a.Name == attack);
        var kit = new TokenKit();

        var result = kit.Validator.Validate(row.Forge(kit));

        Assert.That(result.Refusal, Is.EqualTo(row.Expected));
        Assert.That(result.Token, Is.Null);
    }

    [Test]
    public void Validate_ForgeryHelpers_WithoutTheAttack_ProduceAValidToken()
    {
        // The table's forgeries are only meaningful if the same helpers make valid tokens when nothing is wrong.
        var kit = new TokenKit();

        Assert.Multiple(() =>
        {
            Assert.That(kit.Validator.Validate(kit.Signed(kit.Claims())).Refusal, Is.EqualTo(TokenRefusal.None));
            Assert.That(kit.Validator.Validate(kit.SignedWithHeader(kit.OurHeader(), TokenKit.Json(kit.Claims()))).Refusal, Is.EqualTo(TokenRefusal.None));
            Assert.That(kit.Validator.Validate(ReplacePayload(kit.Valid(), TokenKit.Json(kit.Claims()))).Refusal, Is.EqualTo(TokenRefusal.BadSignature));
        });
    }

    [Test]
    public void Attacks_HaveUniqueNames() => Assert.That(Attacks.Select(a => a.Name), Is.Unique);

    [Test]
    public void Attacks_CoverEveryRefusal() =>
        Assert.That(Attacks.Select(a => a.Expected).Distinct(), Is.EquivalentTo(Enum.GetValues<TokenRefusal>().Where(r => r != TokenRefusal.None)));

    private static string[] Parts(string token) => token.Split('.');

    private static string ReplaceHeader(string token, string headerJson) => ReplaceHeaderRaw(token, TokenKit.B64(headerJson));

    private static string ReplaceHeaderRaw(string token, string header) => $"{header}.{Parts(token)[1]}.{Parts(token)[2]}";

    private static string ReplacePayload(string token, string claimsJson) => ReplacePayloadRaw(token, TokenKit.B64(claimsJson));

    private static string ReplacePayloadRaw(string token, string payload) => $"{Parts(token)[0]}.{payload}.{Parts(token)[2]}";

    private static string SwapSignature(string token, string other) => $"{Parts(token)[0]}.{Parts(token)[1]}.{Parts(other)[2]}";

    private static string FlipSignatureBit(string token)
    {
        var parts = Parts(token);
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        signature[10] ^= 0x01;
        return $"{parts[0]}.{parts[1]}.{System.Buffers.Text.Base64Url.EncodeToString(signature)}";
    }

    private static string AttackerSigned(TokenKit kit, string kid, bool embedJwk = false)
    {
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = attacker.ExportParameters(false).Q;
        object header = embedJwk
            ? new { alg = "ES256", kid, jwk = new { kty = "EC", crv = "P-256", x = System.Buffers.Text.Base64Url.EncodeToString(q.X), y = System.Buffers.Text.Base64Url.EncodeToString(q.Y) } }
            : new { alg = "ES256", kid };
        return kit.SignedWithHeader(TokenKit.Json(header), TokenKit.Json(kit.Claims()), attacker);
    }

    private static string DerSigned(TokenKit kit)
    {
        var input = $"{TokenKit.B64(kit.OurHeader())}.{TokenKit.B64(TokenKit.Json(kit.Claims()))}";
        var der = kit.Keys.Current.Algorithm.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return $"{input}.{System.Buffers.Text.Base64Url.EncodeToString(der)}";
    }
}
