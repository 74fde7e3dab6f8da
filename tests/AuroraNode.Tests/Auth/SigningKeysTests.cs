using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Auth.Tokens;

namespace AuroraNode.Tests.Auth;

public sealed class SigningKeysTests
{
    [Test]
    public void Rotate_OldTokenStillVerifies_NewTokensUseTheNewKid()
    {
        var kit = new TokenKit();
        var oldKid = kit.Keys.Current.KeyId;
        var old = kit.Valid();

        var fresh = kit.Keys.Rotate();
        var next = kit.Issuer.Issue("alice", "s-1", ["user"]);

        Assert.Multiple(() =>
        {
            Assert.That(fresh.KeyId, Is.Not.EqualTo(oldKid));
            Assert.That(kit.Validator.Validate(old).Token?.KeyId, Is.EqualTo(oldKid));
            Assert.That(next.Claims.KeyId, Is.EqualTo(fresh.KeyId));
            Assert.That(kit.Validator.Validate(next.Token).IsValid, Is.True);
            Assert.That(kit.Keys.Snapshot.Find(oldKid)?.RetiredAt, Is.EqualTo(TokenKit.Start));
        });
    }

    [Test]
    public void Prune_AfterTheLastTokenExpired_DropsTheOldKey_ItsTokensAreUnknownKid()
    {
        var kit = new TokenKit();
        var old = kit.Valid();
        kit.Keys.Rotate();
        var keep = kit.Settings.Lifetime + kit.Settings.ClockSkew;

        kit.Time.Advance(keep - TimeSpan.FromSeconds(1));
        Assert.That(kit.Keys.Prune(keep), Is.Zero, "tokens of the old key may still be live");

        kit.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(kit.Keys.Prune(keep), Is.EqualTo(1));
        Assert.That(kit.Keys.Snapshot.Keys, Has.Length.EqualTo(1));
        Assert.That(kit.Validator.Validate(old).Refusal, Is.EqualTo(TokenRefusal.UnknownKeyId));
    }

    [Test]
    public void Drop_CurrentKey_Refused()
    {
        var kit = new TokenKit();

        Assert.That(kit.Keys.Drop(kit.Keys.Current.KeyId), Is.False);
        Assert.That(kit.Validator.Validate(kit.Valid()).IsValid, Is.True);
    }

    [Test]
    public void Constructor_WithStoredKeys_NewestUnretiredSigns()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TokenKit.Start);
        var older = SigningKey.Create(TokenKit.Start.AddDays(-60)) with { RetiredAt = TokenKit.Start.AddDays(-30) };
        var current = SigningKey.Create(TokenKit.Start.AddDays(-30));

        var keys = new SigningKeys(time, [older, current]);

        Assert.That(keys.Current.KeyId, Is.EqualTo(current.KeyId));
        Assert.That(keys.Snapshot.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { current.KeyId, older.KeyId }));
    }

    [Test]
    public void FromPkcs8_SameKey_SameKid_VerifiesTheOriginalsTokens()
    {
        var kit = new TokenKit();
        var token = kit.Valid();
        var original = kit.Keys.Current;

        var reloaded = SigningKey.FromPkcs8(original.ExportPkcs8(), original.CreatedAt, null);
        var keys = new SigningKeys(kit.Time, [reloaded]);
        var validator = new AccessTokenValidator(keys, kit.Settings, kit.Time);

        Assert.That(reloaded.KeyId, Is.EqualTo(original.KeyId));
        Assert.That(validator.Validate(token).IsValid, Is.True);
    }

    [Test]
    public void FromPkcs8_NotP256_Refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.That(() => SigningKey.FromPkcs8(p384.ExportPkcs8PrivateKey(), TokenKit.Start, null), Throws.InstanceOf<CryptographicException>());
    }

    [Test]
    public void KeyId_IsTheRfc7638Thumbprint()
    {
        var key = SigningKey.Create(TokenKit.Start);
        var q = key.Algorithm.ExportParameters(false).Q;
        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url.EncodeToString(q.X)}}","y":"{{Base64Url.EncodeToString(q.Y)}}"}""";

        Assert.That(key.KeyId, Is.EqualTo(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))));
    }

    [Test]
    public void Jwks_ListsEveryVerifyingKeyWithItsPublicPartOnly()
    {
        var kit = new TokenKit();
        kit.Keys.Rotate();

        using var jwks = JsonDocument.Parse(Jwks.Write(kit.Keys.Snapshot));
        var keys = jwks.RootElement.GetProperty("keys").EnumerateArray().ToList();

        Assert.That(keys.Select(k => k.GetProperty("kid").GetString()), Is.EqualTo(kit.Keys.Snapshot.Keys.Select(k => k.KeyId)));
        foreach (var key in keys)
        {
            Assert.Multiple(() =>
            {
                Assert.That(key.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "kty", "crv", "x", "y", "kid", "alg", "use" }), "no private d");
                Assert.That(key.GetProperty("kty").GetString(), Is.EqualTo("EC"));
                Assert.That(key.GetProperty("crv").GetString(), Is.EqualTo("P-256"));
                Assert.That(key.GetProperty("alg").GetString(), Is.EqualTo("ES256"));
                Assert.That(key.GetProperty("use").GetString(), Is.EqualTo("sig"));
                Assert.That(Base64Url.DecodeFromChars(key.GetProperty("x").GetString()), Has.Length.EqualTo(32));
                Assert.That(Base64Url.DecodeFromChars(key.GetProperty("y").GetString()), Has.Length.EqualTo(32));
            });
        }
    }
}
