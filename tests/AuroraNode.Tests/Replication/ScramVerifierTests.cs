using AuroraNode.Modules.Postgres.Rotation;

namespace AuroraNode.Tests.Replication;

public sealed class ScramVerifierTests
{
    [Test]
    public void Create_KnownSaltAndPassword_TheRfc7677Verifier()
    {
        // Computed independently (Python hashlib/hmac) from RFC 5802's definitions.
        var verifier = ScramVerifier.Create("pencil-rotated_0123456789abcdefXYZ", [.. Enumerable.Range(0, 16).Select(i => (byte)i)], 4096);

        Assert.That(verifier, Is.EqualTo("SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$eHu4GgKOqPDpdGrmIwg1p4eGfgMkvqAlitBbx8BTUbU=:z44L/o9q69BEIPFCjVoqSV5p/IlRMjI3hL60zk/5p8Y="));
    }

    [Test]
    public void Create_RandomSalt_DiffersEachTime_NeverHoldsThePassword()
    {
        var first = ScramVerifier.Create("same-password");
        var second = ScramVerifier.Create("same-password");

        Assert.That(first, Is.Not.EqualTo(second));
        Assert.That(first, Does.StartWith("SCRAM-SHA-256$4096:").And.Not.Contain("same-password"));
        Assert.That(first, Does.Not.Contain("'"), "safe inside a SQL literal");
    }

    [Test]
    public void Create_NonAsciiPassword_Refused()
    {
        Assert.Throws<ArgumentException>(() => ScramVerifier.Create("pässword"));
    }
}
