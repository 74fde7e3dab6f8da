using System.Buffers.Text;
using System.Text.Json;
using AuroraNode.Modules.Auth.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuroraNode.Tests.Auth;

public sealed class AccessTokenTests
{
    [Test]
    public void Issue_ThenValidate_ReturnsTheClaims()
    {
        var kit = new TokenKit();

        var issued = kit.Issuer.Issue("alice", "s-42", ["admin", "user"]);
        var result = kit.Validator.Validate(issued.Token);

        Assert.That(result.IsValid, Is.True, result.Refusal.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(result.Token!.Subject, Is.EqualTo("alice"));
            Assert.That(result.Token.SessionId, Is.EqualTo("s-42"));
            Assert.That(result.Token.Roles, Is.EqualTo(new[] { "admin", "user" }));
            Assert.That(result.Token.KeyId, Is.EqualTo(kit.Keys.Current.KeyId));
            Assert.That(result.Token.Expires, Is.EqualTo(TokenKit.Start + TimeSpan.FromMinutes(30)));
            Assert.That(result.Token.Id, Is.EqualTo(issued.Claims.Id));
        });
    }

    [Test]
    public void Issue_WritesEveryClaimAndAKidHeader()
    {
        var kit = new TokenKit();

        var parts = kit.Valid().Split('.');
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));

        Assert.Multiple(() =>
        {
            Assert.That(header.RootElement.GetProperty("alg").GetString(), Is.EqualTo("ES256"));
            Assert.That(header.RootElement.GetProperty("kid").GetString(), Is.EqualTo(kit.Keys.Current.KeyId));
            Assert.That(claims.RootElement.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "iss", "aud", "sub", "sid", "roles", "iat", "nbf", "exp", "jti" }));
            Assert.That(Base64Url.DecodeFromChars(parts[2]), Has.Length.EqualTo(64));
        });
    }

    [Test]
    public void Issue_TwoTokens_HaveDifferentIds()
    {
        var kit = new TokenKit();

        var first = kit.Issuer.Issue("a", "s", []).Claims.Id;
        var second = kit.Issuer.Issue("a", "s", []).Claims.Id;

        Assert.That(second, Is.Not.EqualTo(first));
    }

    // Times after issue (lifetime 30 min, skew 30 s): valid up to exp + skew, refused from then on.
    [TestCase(0, nameof(TokenRefusal.None))]
    [TestCase(1799, nameof(TokenRefusal.None))]
    [TestCase(1829, nameof(TokenRefusal.None))]
    [TestCase(1830, nameof(TokenRefusal.Expired))]
    [TestCase(86_400, nameof(TokenRefusal.Expired))]
    [TestCase(-29, nameof(TokenRefusal.None))]
    [TestCase(-31, nameof(TokenRefusal.NotYetValid))]
    public void Validate_AtTimeAfterIssue_HonoursLifetimeAndSkew(int seconds, string refusal)
    {
        var expected = Enum.Parse<TokenRefusal>(refusal);
        foreach (var cache in new[] { 0, 100 })
        {
            var kit = new TokenKit(cache);

            // A negative time is a token issued by a node whose clock runs ahead of ours.
            var issuerClock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TokenKit.Start + TimeSpan.FromSeconds(Math.Max(0, -seconds)));
            var token = new AccessTokenIssuer(kit.Keys, kit.Settings, issuerClock).Issue("alice", "s-1", ["user"]).Token;
            kit.Validator.Validate(token); // warms the cache where there is one: times are checked on every use anyway
            kit.Time.Advance(TimeSpan.FromSeconds(Math.Max(0, seconds)));

            Assert.That(kit.Validator.Validate(token).Refusal, Is.EqualTo(expected), $"cache {cache}");
        }
    }

    [Test]
    public void Validate_CachedToken_RefusedOnceItsKeyIsDropped()
    {
        var kit = new TokenKit();
        var token = kit.Valid();
        var kid = kit.Keys.Current.KeyId;
        Assume.That(kit.Validator.Validate(token).IsValid, Is.True);

        kit.Keys.Rotate();
        Assert.That(kit.Validator.Validate(token).IsValid, Is.True, "a rotated-out key still verifies");
        kit.Keys.Drop(kid);

        Assert.That(kit.Validator.Validate(token).Refusal, Is.EqualTo(TokenRefusal.UnknownKeyId));
    }

    [Test]
    public void Validate_MoreTokensThanTheCacheHolds_EveryOneStillValidates()
    {
        var kit = new TokenKit(cacheCapacity: 2);
        var tokens = Enumerable.Range(0, 5).Select(i => kit.Issuer.Issue($"u{i}", $"s{i}", ["user"]).Token).ToArray();

        var results = tokens.Concat(tokens).Select(t => kit.Validator.Validate(t).Token?.Subject).ToArray();

        Assert.That(results, Is.EqualTo(new[] { "u0", "u1", "u2", "u3", "u4", "u0", "u1", "u2", "u3", "u4" }));
    }

    [Test]
    public void Validate_ManyThreadsAtOnce_AllValid()
    {
        var kit = new TokenKit(cacheCapacity: 0);
        var tokens = Enumerable.Range(0, 64).Select(i => kit.Issuer.Issue($"u{i}", $"s{i}", ["user"]).Token).ToArray();

        var refused = 0;
        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (!kit.Validator.Validate(tokens[i % tokens.Length]).IsValid)
            {
                Interlocked.Increment(ref refused);
            }
        });

        Assert.That(refused, Is.Zero);
    }

    [Test]
    public async Task Issue_TokenVerifiesWithMicrosoftsJwtHandler()
    {
        // Interoperability: a standard library accepts what we sign, with the key taken from our JWKS.
        var kit = new TokenKit();
        var jwks = new JsonWebKeySet(AuroraNode.Modules.Auth.Keys.Jwks.Write(kit.Keys.Snapshot));
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = kit.Settings.Issuer,
            ValidAudience = kit.Settings.Audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = ["ES256"],
            LifetimeValidator = (_, _, _, _) => true, // the fake clock's tokens are in the past for the handler
        };

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(kit.Issuer.Issue("alice", "s-1", ["user"]).Token, parameters);

        Assert.That(result.IsValid, Is.True, result.Exception?.Message);
        Assert.That(result.Claims["sub"], Is.EqualTo("alice"));
    }

    [Test]
    public void Validate_TokenOfAnotherKeySetWithTheSameSettings_UnknownKid()
    {
        var ours = new TokenKit();
        var theirs = new TokenKit();

        Assert.That(ours.Validator.Validate(theirs.Valid()).Refusal, Is.EqualTo(TokenRefusal.UnknownKeyId));
    }

    [Test]
    public void Validate_AudienceListContainingOurs_Valid()
    {
        var kit = new TokenKit();

        var token = kit.Signed(kit.Claims(c => c["aud"] = new[] { "other", kit.Settings.Audience }));

        Assert.That(kit.Validator.Validate(token).Refusal, Is.EqualTo(TokenRefusal.None));
    }

    [Test]
    public void Validate_UnknownClaimsAndHeaderMembers_Ignored()
    {
        var kit = new TokenKit();

        var token = kit.SignedWithHeader(
            TokenKit.Json(new { alg = "ES256", typ = "at+jwt", kid = kit.Keys.Current.KeyId, x5u = "https://evil.example/key" }),
            TokenKit.Json(kit.Claims(c => c["extra"] = new { nested = new[] { 1, 2 } })));

        Assert.That(kit.Validator.Validate(token).Refusal, Is.EqualTo(TokenRefusal.None));
    }
}
