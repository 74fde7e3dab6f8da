using System.Security.Cryptography;
using AuroraNode.Modules.Auth.Keys;

namespace AuroraNode.Tests.Auth;

public sealed class KeyEncryptionTests
{
    private static readonly byte[] MeshKey = RandomNumberGenerator.GetBytes(32);

    [Test]
    public void Seal_ThenOpen_GivesTheKeyBack()
    {
        var key = SigningKey.Create(TokenKit.Start);
        var encryption = new KeyEncryption(MeshKey);

        var sealedKey = encryption.Seal(key.ExportPkcs8(), key.KeyId);
        var opened = SigningKey.FromPkcs8(encryption.Open(sealedKey, key.KeyId), key.CreatedAt, null);

        Assert.That(opened.KeyId, Is.EqualTo(key.KeyId));
        Assert.That(sealedKey.AsSpan().IndexOf(key.ExportPkcs8().AsSpan(36, 16)), Is.EqualTo(-1), "no plaintext key bytes in the sealed form");
    }

    [Test]
    public void Seal_SameKeyTwice_DifferentNonces()
    {
        var encryption = new KeyEncryption(MeshKey);

        var first = encryption.Seal([1, 2, 3], "k");
        var second = encryption.Seal([1, 2, 3], "k");

        Assert.That(second, Is.Not.EqualTo(first));
    }

    // Byte offsets into version(1) ‖ nonce(12) ‖ tag(16) ‖ ciphertext.
    [TestCase(0, "format version")]
    [TestCase(1, "altered")]
    [TestCase(12, "altered")]
    [TestCase(13, "altered")]
    [TestCase(28, "altered")]
    [TestCase(29, "altered")]
    [TestCase(-1, "altered")]
    public void Open_TamperedByte_ThrowsNamingTheKey(int offset, string reason)
    {
        var encryption = new KeyEncryption(MeshKey);
        var sealedKey = encryption.Seal(SigningKey.Create(TokenKit.Start).ExportPkcs8(), "kid-1");
        sealedKey[offset < 0 ? sealedKey.Length + offset : offset] ^= 0x40;

        var error = Assert.Throws<KeyDecryptionException>(() => encryption.Open(sealedKey, "kid-1"));

        Assert.That(error!.Message, Does.Contain("kid-1").And.Contain(reason));
    }

    [Test]
    public void Open_WrongMeshKey_Throws()
    {
        var sealedKey = new KeyEncryption(MeshKey).Seal([1, 2, 3], "kid-1");

        Assert.That(() => new KeyEncryption(RandomNumberGenerator.GetBytes(32)).Open(sealedKey, "kid-1"),
            Throws.InstanceOf<KeyDecryptionException>().With.Message.Contains("mesh key"));
    }

    [Test]
    public void Open_UnderAnotherKid_Throws()
    {
        var sealedKey = new KeyEncryption(MeshKey).Seal([1, 2, 3], "kid-1");

        Assert.That(() => new KeyEncryption(MeshKey).Open(sealedKey, "kid-2"), Throws.InstanceOf<KeyDecryptionException>());
    }

    [TestCase(0)]
    [TestCase(29)]
    public void Open_Truncated_Throws(int length) =>
        Assert.That(() => new KeyEncryption(MeshKey).Open(new byte[length], "k"), Throws.InstanceOf<KeyDecryptionException>().With.Message.Contains("too short"));

    [TestCase(16)]
    [TestCase(31)]
    [TestCase(33)]
    public void Constructor_MeshKeyOfWrongLength_Refused(int length) =>
        Assert.That(() => new KeyEncryption(new byte[length]), Throws.ArgumentException);

    [Test]
    public void Replace_SealsWithTheNewKey_StillOpensWhatTheOldOneSealed()
    {
        var encryption = new KeyEncryption(MeshKey);
        var before = encryption.Seal([1, 2, 3], "kid-1");
        var next = RandomNumberGenerator.GetBytes(32);

        encryption.Replace(next);
        var after = encryption.Seal([4, 5, 6], "kid-2");

        Assert.Multiple(() =>
        {
            Assert.That(encryption.Open(before, "kid-1"), Is.EqualTo(new byte[] { 1, 2, 3 }), "the previous mesh key still opens");
            Assert.That(new KeyEncryption(next).Open(after, "kid-2"), Is.EqualTo(new byte[] { 4, 5, 6 }));
            Assert.That(() => new KeyEncryption(MeshKey).Open(after, "kid-2"), Throws.InstanceOf<KeyDecryptionException>(), "the old mesh key opens nothing sealed after");
        });
    }

    [Test]
    public void Replace_Twice_TheFirstKeyOpensNothingAnyMore()
    {
        var encryption = new KeyEncryption(MeshKey);
        var first = encryption.Seal([1], "k");

        encryption.Replace(RandomNumberGenerator.GetBytes(32));
        encryption.Replace(RandomNumberGenerator.GetBytes(32));

        Assert.That(() => encryption.Open(first, "k"), Throws.InstanceOf<KeyDecryptionException>());
    }
}
