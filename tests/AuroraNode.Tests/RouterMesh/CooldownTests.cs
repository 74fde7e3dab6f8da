using AuroraNode.Modules.Router.Routing;
using Microsoft.Extensions.Time.Testing;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>LiteLLM-style cooldown: allowed_fails failures in a row rest a node for cooldown; a success clears the count.</summary>
public sealed class CooldownTests
{
    private static readonly RoutingOptions Options = RoutingOptions.Default with { AllowedFails = 3, Cooldown = TimeSpan.FromSeconds(30) };

    [Test]
    public void Fail_AllowedFailsInARow_CoolsDownForTheCooldown()
    {
        var time = new FakeTimeProvider();
        var cooldowns = new Cooldowns(Options, time);

        var started = new[] { cooldowns.Fail("n"), cooldowns.Fail("n"), cooldowns.Fail("n") };

        Assert.Multiple(() =>
        {
            Assert.That(started, Is.EqualTo(new[] { false, false, true }));
            Assert.That(cooldowns.IsCooling("n"), Is.True);
            Assert.That(cooldowns.Until("n"), Is.EqualTo(time.GetUtcNow() + TimeSpan.FromSeconds(30)));
        });
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.That(cooldowns.IsCooling("n"), Is.False);
    }

    [Test]
    public void Succeed_BetweenFailures_StartsTheCountAgain()
    {
        var cooldowns = new Cooldowns(Options, new FakeTimeProvider());

        cooldowns.Fail("n");
        cooldowns.Fail("n");
        cooldowns.Succeed("n");
        cooldowns.Fail("n");
        cooldowns.Fail("n");

        Assert.That(cooldowns.IsCooling("n"), Is.False);
    }

    [Test]
    public void Fail_OneNode_OthersUntouched()
    {
        var cooldowns = new Cooldowns(Options with { AllowedFails = 1 }, new FakeTimeProvider());

        cooldowns.Fail("a");

        Assert.That((cooldowns.IsCooling("a"), cooldowns.IsCooling("b")), Is.EqualTo((true, false)));
    }
}
