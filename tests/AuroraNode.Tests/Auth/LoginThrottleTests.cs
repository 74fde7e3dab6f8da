using System.Net;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Auth;

/// <summary>One client address trying many usernames is slowed down by the per-address limit, whatever the names.</summary>
[NonParallelizable]
public sealed class LoginThrottleTests
{
    [Test]
    public async Task Login_ManyUsernamesFromOneAddress_429WithRetryAfter_OnceTheAddressLimitIsReached()
    {
        using var temp = new TempDirectory();
        await using var mesh = await Mesh.StartAsync(temp, c => c.Sections["modules"] = NodeConfigFile.ShortRegistryIntervals + "\nauth:\n  login_rate_per_address: 5\n  login_rate_per_user: 100");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await AuthClient.LoginAsync(mesh.Lead, $"sprayed-{i}", "password-spray")).Status);
        }

        var (status, body, response) = await AuthClient.LoginAsync(mesh.Lead, "sprayed-5", "password-spray");

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.Unauthorized), "each name tried once: wrong, not throttled");
            Assert.That(status, Is.EqualTo(HttpStatusCode.TooManyRequests), body.ToString());
            Assert.That(body.GetProperty("detail").GetString(), Does.Contain("too many login attempts"));
            Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromMinutes(1)));
        });
    }
}
