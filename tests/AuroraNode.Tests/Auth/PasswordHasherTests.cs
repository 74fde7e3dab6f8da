using System.Diagnostics;
using AuroraNode.Modules.Auth.Passwords;

namespace AuroraNode.Tests.Auth;

public sealed class PasswordHasherTests
{
    // Unit tests run at a low cost; one test checks the real parameters.
    private static readonly PasswordHasher Fast = new(new PasswordHashParameters(1_000, 16, 32));

    [Test]
    public void Owasp_Parameters_Are600kIterations16ByteSalt32ByteKey()
    {
        var hasher = new PasswordHasher();

        var stored = hasher.Hash("correct horse");

        Assert.That(hasher.Parameters, Is.EqualTo(new PasswordHashParameters(600_000, 16, 32)));
        Assert.That(stored, Does.Match(@"^pbkdf2-sha256\$600000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$"));
        Assert.That(hasher.Verify("correct horse", stored), Is.True);
    }

    [TestCase("correct horse", "correct horse", true)]
    [TestCase("correct horse", "correct horsf", false)]
    [TestCase("correct horse", "Correct horse", false)]
    [TestCase("correct horse", "", false)]
    [TestCase("", "", true)]
    [TestCase("pässwörd ✓ 密码", "pässwörd ✓ 密码", true)]
    [TestCase("pässwörd ✓ 密码", "passwort ✓ 密码", false)]
    public void Verify_Password_MatchesOnlyTheSamePassword(string hashed, string given, bool expected) =>
        Assert.That(Fast.Verify(given, Fast.Hash(hashed)), Is.EqualTo(expected));

    [Test]
    public void Hash_SamePasswordTwice_DifferentSaltsAndHashes()
    {
        var first = Fast.Hash("same");
        var second = Fast.Hash("same");

        Assert.That(second, Is.Not.EqualTo(first));
    }

    [TestCase("")]
    [TestCase("plain-text-password")]
    [TestCase("bcrypt$2b$12$abc")]
    [TestCase("pbkdf2-sha256$600000$c2FsdA")]
    [TestCase("pbkdf2-sha256$abc$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("pbkdf2-sha256$999$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("pbkdf2-sha256$2000000000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("pbkdf2-sha256$600000$!!!$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0$aGFzaA")]
    [TestCase("pbkdf2-sha256$-5$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    [TestCase("pbkdf2-sha512$600000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")]
    public void Verify_StoredValueThatDoesNotParse_FalseAndNeedsRehash(string stored)
    {
        Assert.That(Fast.Verify("anything", stored), Is.False);
        Assert.That(Fast.NeedsRehash(stored), Is.True);
    }

    // Stored with (iterations, salt, key) against the current (1000, 16, 32).
    [TestCase(1_000, 16, 32, false)]
    [TestCase(2_000, 16, 32, false)]
    [TestCase(999_999, 32, 64, false)]
    [TestCase(1_000, 8, 32, true)]
    [TestCase(1_000, 16, 16, true)]
    public void NeedsRehash_StoredParametersAgainstCurrent(int iterations, int salt, int key, bool expected)
    {
        var stored = new PasswordHasher(new PasswordHashParameters(iterations, salt, key)).Hash("pw");

        Assert.That(Fast.NeedsRehash(stored), Is.EqualTo(expected));
        Assert.That(Fast.Verify("pw", stored), Is.True, "an old hash still verifies with its own parameters");
    }

    [Test]
    public void NeedsRehash_AfterTheCurrentIterationsAreRaised_True()
    {
        var stored = Fast.Hash("pw");
        var raised = new PasswordHasher(new PasswordHashParameters(2_000, 16, 32));

        Assert.That(raised.NeedsRehash(stored), Is.True);
        Assert.That(raised.Verify("pw", stored), Is.True);
        Assert.That(raised.NeedsRehash(raised.Hash("pw")), Is.False);
    }

    [Test]
    public void DummyVerify_CostsAboutAsMuchAsARealVerification()
    {
        // Timing on a shared machine: medians, and a wide band; it guards against a dummy that does no work.
        var hasher = new PasswordHasher(new PasswordHashParameters(50_000, 16, 32));
        var stored = hasher.Hash("pw");
        hasher.Verify("pw", stored);
        hasher.DummyVerify("pw");

        var real = Median(() => hasher.Verify("wrong", stored));
        var dummy = Median(() => hasher.DummyVerify("wrong"));

        Assert.That(dummy / real, Is.InRange(0.33, 3.0), $"real {real:0.0} ms, dummy {dummy:0.0} ms");
    }

    private static double Median(Action action)
    {
        var samples = Enumerable.Range(0, 7).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed.TotalMilliseconds;
        }).Order().ToList();
        return samples[samples.Count / 2];
    }
}
