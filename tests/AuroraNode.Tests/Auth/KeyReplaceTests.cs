using AuroraNode.Modules.Auth.Keys;

namespace AuroraNode.Tests.Auth;

public sealed class KeyReplaceTests
{
    [Test]
    public void Replace_SameStoredSet_KeepsTheSnapshotAndItsVersion()
    {
        var kit = new TokenKit();
        var stored = kit.Keys.Snapshot.Keys.ToList();
        var version = kit.Keys.Snapshot.Version;

        Assert.That(kit.Keys.Replace(stored), Is.False);
        Assert.That(kit.Keys.Snapshot.Version, Is.EqualTo(version));
    }

    [Test]
    public void Replace_StoredRotation_NewestUnretiredKeySignsAndTheOldOneVerifies()
    {
        var kit = new TokenKit();
        var old = kit.Valid();
        var retired = kit.Keys.Current with { RetiredAt = TokenKit.Start };
        var fresh = SigningKey.Create(TokenKit.Start + TimeSpan.FromSeconds(1));

        var changed = kit.Keys.Replace([retired, fresh]);

        Assert.Multiple(() =>
        {
            Assert.That(changed, Is.True);
            Assert.That(kit.Keys.Current.KeyId, Is.EqualTo(fresh.KeyId));
            Assert.That(kit.Validator.Validate(old).IsValid, Is.True);
            Assert.That(kit.Issuer.Issue("alice", "s-1", ["user"]).Claims.KeyId, Is.EqualTo(fresh.KeyId));
        });
    }

    [Test]
    public void Replace_NoCurrentKey_Throws() =>
        Assert.That(() => new TokenKit().Keys.Replace([SigningKey.Create(TokenKit.Start) with { RetiredAt = TokenKit.Start }]), Throws.ArgumentException);
}
