using AuroraNode.Modules.Auth.Refresh;
using Microsoft.Extensions.Time.Testing;

namespace AuroraNode.Tests.Auth;

public sealed class RefreshRotationTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private FakeTimeProvider _time = null!;
    private RefreshRotation _rules = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(TokenKit.Start);
        _rules = new RefreshRotation(Lifetime, Grace, _time);
    }

    [Test]
    public void New_Is32RandomBytesBase64Url()
    {
        var token = RefreshTokens.New();

        Assert.That(token, Does.Match("^[A-Za-z0-9_-]{43}$"));
        Assert.That(System.Buffers.Text.Base64Url.DecodeFromChars(token), Has.Length.EqualTo(32));
        Assert.That(RefreshTokens.New(), Is.Not.EqualTo(token));
    }

    [Test]
    public void Start_StoresOnlyTheHash()
    {
        var (family, token) = _rules.Start("s-1", "alice");

        Assert.That(family.CurrentHash, Is.EqualTo(RefreshTokens.Hash(token)));
        Assert.That(family.ToString(), Does.Not.Contain(token));
        Assert.That(family.CurrentExpiresAt, Is.EqualTo(TokenKit.Start + Lifetime));
    }

    [Test]
    public void Refresh_CurrentToken_RotatesToANewOne()
    {
        var (family, token) = _rules.Start("s-1", "alice");
        _time.Advance(TimeSpan.FromMinutes(30));

        var decision = _rules.Refresh(family, token);

        Assert.That(decision.Outcome, Is.EqualTo(RefreshOutcome.Rotated));
        Assert.That(decision.Changed, Is.True);
        Assert.That(decision.NewToken, Is.Not.Null.And.Not.EqualTo(token));
        Assert.That(decision.Family.CurrentHash, Is.EqualTo(RefreshTokens.Hash(decision.NewToken)));
        Assert.That(decision.Family.CurrentExpiresAt, Is.EqualTo(_time.GetUtcNow() + Lifetime), "each rotation starts a new lifetime");
        Assert.That(decision.Family.Rotated, Is.EqualTo(new[] { new RotatedToken(family.CurrentHash, _time.GetUtcNow()) }));
        Assert.That(_rules.Refresh(decision.Family, decision.NewToken).Outcome, Is.EqualTo(RefreshOutcome.Rotated));
    }

    // Seconds between the rotation and the replay of the replaced token (grace 10 s).
    [TestCase(0.0, nameof(RefreshOutcome.ConcurrentRefresh))]
    [TestCase(9.9, nameof(RefreshOutcome.ConcurrentRefresh))]
    [TestCase(10.0, nameof(RefreshOutcome.ConcurrentRefresh))]
    [TestCase(10.001, nameof(RefreshOutcome.ReuseDetected))]
    [TestCase(3600.0, nameof(RefreshOutcome.ReuseDetected))]
    public void Refresh_ReplacedToken_WithinGraceTolerated_AfterItRevokesTheFamily(double secondsLater, string outcome)
    {
        var expected = Enum.Parse<RefreshOutcome>(outcome);
        var (family, first) = _rules.Start("s-1", "alice");
        var rotated = _rules.Refresh(family, first);
        _time.Advance(TimeSpan.FromSeconds(secondsLater));

        var replay = _rules.Refresh(rotated.Family, first);

        Assert.That(replay.Outcome, Is.EqualTo(expected));
        Assert.That(replay.NewToken, Is.Null);
        Assert.That(replay.Family.IsRevoked, Is.EqualTo(expected == RefreshOutcome.ReuseDetected));
        Assert.That(replay.Changed, Is.EqualTo(expected == RefreshOutcome.ReuseDetected));
    }

    [Test]
    public void Refresh_AfterReuseDetected_EvenTheCurrentTokenIsRefused()
    {
        var (family, first) = _rules.Start("s-1", "alice");
        var rotated = _rules.Refresh(family, first);
        _time.Advance(TimeSpan.FromMinutes(1));
        var theft = _rules.Refresh(rotated.Family, first);

        var legitimate = _rules.Refresh(theft.Family, rotated.NewToken);

        Assert.That(legitimate.Outcome, Is.EqualTo(RefreshOutcome.Revoked));
        Assert.That(theft.Family.RevokedReason, Does.Contain("reused"));
        Assert.That(theft.Family.RevokedAt, Is.EqualTo(_time.GetUtcNow()));
    }

    [Test]
    public void Refresh_ConcurrentRefresh_LeavesTheWinnersTokenWorking()
    {
        var (family, first) = _rules.Start("s-1", "alice");
        var winner = _rules.Refresh(family, first);
        var loser = _rules.Refresh(winner.Family, first);

        Assert.That(loser.Family, Is.SameAs(winner.Family));
        Assert.That(_rules.Refresh(loser.Family, winner.NewToken).Outcome, Is.EqualTo(RefreshOutcome.Rotated));
    }

    [Test]
    public void Refresh_OlderTokenOfTheChain_AfterGrace_IsReuse()
    {
        var (family, t1) = _rules.Start("s-1", "alice");
        var d1 = _rules.Refresh(family, t1);
        _time.Advance(TimeSpan.FromMinutes(30));
        var d2 = _rules.Refresh(d1.Family, d1.NewToken);
        _time.Advance(TimeSpan.FromMinutes(30));

        Assert.That(_rules.Refresh(d2.Family, t1).Outcome, Is.EqualTo(RefreshOutcome.ReuseDetected));
    }

    [TestCase(6.9, nameof(RefreshOutcome.Rotated))]
    [TestCase(7.0, nameof(RefreshOutcome.Expired))]
    [TestCase(30.0, nameof(RefreshOutcome.Expired))]
    public void Refresh_CurrentTokenAfterDays_ExpiresWithItsLifetime(double days, string outcome)
    {
        var expected = Enum.Parse<RefreshOutcome>(outcome);
        var (family, token) = _rules.Start("s-1", "alice");
        _time.Advance(TimeSpan.FromDays(days));

        Assert.That(_rules.Refresh(family, token).Outcome, Is.EqualTo(expected));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("short")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    public void Refresh_TokenNotOfTheFamily_Unknown_FamilyUntouched(string? presented)
    {
        var (family, _) = _rules.Start("s-1", "alice");

        var decision = _rules.Refresh(family, presented);

        Assert.That(decision.Outcome, Is.EqualTo(RefreshOutcome.Unknown));
        Assert.That(decision.Family, Is.SameAs(family));
        Assert.That(decision.Changed, Is.False);
    }

    [Test]
    public void Revoke_Logout_EndsTheFamily_LaterRevocationsKeepTheFirstReason()
    {
        var (family, token) = _rules.Start("s-1", "alice");

        var revoked = _rules.Revoke(family, "logout");
        _time.Advance(TimeSpan.FromSeconds(5));
        var again = _rules.Revoke(revoked, "admin");

        Assert.That(_rules.Refresh(revoked, token).Outcome, Is.EqualTo(RefreshOutcome.Revoked));
        Assert.That(again.RevokedReason, Is.EqualTo("logout"));
        Assert.That(again.RevokedAt, Is.EqualTo(TokenKit.Start));
    }

    [Test]
    public void Trim_ForgetsReplacedTokensOlderThanALifetime()
    {
        var (family, token) = _rules.Start("s-1", "alice");
        var d1 = _rules.Refresh(family, token);
        _time.Advance(TimeSpan.FromDays(6));
        var d2 = _rules.Refresh(d1.Family, d1.NewToken);
        _time.Advance(TimeSpan.FromDays(2));

        var trimmed = _rules.Trim(d2.Family);

        Assert.That(trimmed.Rotated.Select(r => r.Hash), Is.EqualTo(new[] { d1.Family.CurrentHash }));
    }
}
