using AuroraNode.Modules.Auth.Sessions;

namespace AuroraNode.Tests.Auth;

public sealed class RefreshTokenFormatTests
{
    [Test]
    public void TryParse_ComposedToken_GivesSidAndSecretBack()
    {
        var sid = SessionIds.New();

        Assert.That(RefreshToken.TryParse(RefreshToken.Compose(sid, "secret-part"), out var parsedSid, out var secret), Is.True);
        Assert.That((parsedSid, secret), Is.EqualTo((sid, "secret-part")));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("no-dot-at-all")]
    [TestCase(".secret")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAA.")]
    [TestCase("short.secret")]
    [TestCase("AAAAAAAAAAAAAAAAAAAA!!.secret")]
    public void TryParse_NotOurs_False(string? token) =>
        Assert.That(RefreshToken.TryParse(token, out _, out _), Is.False);
}
