using System.Net;
using AuroraNode.Modules.Security;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Auth;

/// <summary>
/// A node cut off from the mesh's Redis cannot check sessions or other nodes' keys: it refuses them with 503 and
/// the reason (fail closed) instead of letting them through, while its own operator still gets in.
/// </summary>
[NonParallelizable]
public sealed class FailClosedTests
{
    [Test]
    public async Task RedisUnreachable_UncachedSessionsAndOtherNodes_Get503_TheOperatorStillGetsIn_AndAllIsBackWithRedis()
    {
        using var temp = new TempDirectory();
        await using var redis = await ExternalRedis.StartAsync(temp);
        using var link = new TcpProxy(redis.Port);
        await using var mesh = await Mesh.StartAsync(temp, c => c.Sections["redis"] = $"managed: false\nurl: redis://:{redis.Password}@127.0.0.1:{link.Port}");
        var (token, _) = await AuthClient.TokensAsync(mesh.Lead, "admin", Mesh.Credentials(mesh.Lead)["auth.admin_password"]);
        using var stranger = TestKeys.NewSigningKey("compute9");
        Assert.That(await StatusAsync(mesh.Lead, bearer: token), Is.EqualTo(HttpStatusCode.OK));

        link.Cut();
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past session_check_cache: the session is no longer known alive
        var (userStatus, userBody) = await SendAsync(mesh.Lead, bearer: token);
        var (nodeStatus, nodeBody) = await SendAsync(mesh.Lead, header: stranger.Authorization("GET", new Uri(mesh.Lead.Config.ApiUrl + "/api/v1/node"), [], DateTimeOffset.UtcNow));
        using var asOperator = await mesh.Lead.Http.GetAsync("/api/v1/node");

        Assert.Multiple(() =>
        {
            Assert.That(userStatus, Is.EqualTo(HttpStatusCode.ServiceUnavailable), userBody);
            Assert.That(userBody, Does.Contain("cannot check the session"));
            Assert.That(nodeStatus, Is.EqualTo(HttpStatusCode.ServiceUnavailable), nodeBody);
            Assert.That(nodeBody, Does.Contain("cannot check node compute9's key"));
            Assert.That(asOperator.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });

        link.Restore();
        await Registry.RegistryTests.WaitUntilAsync(async () => await StatusAsync(mesh.Lead, bearer: token) == HttpStatusCode.OK);
        Assert.That((await SendAsync(mesh.Lead, header: stranger.Authorization("GET", new Uri(mesh.Lead.Config.ApiUrl + "/api/v1/node"), [], DateTimeOffset.UtcNow))).Status, Is.EqualTo(HttpStatusCode.Unauthorized), "a node that never joined, once Redis can tell");
    }

    private static async Task<HttpStatusCode> StatusAsync(NodeProcess node, string bearer) => (await SendAsync(node, bearer: bearer)).Status;

    private static Task<(HttpStatusCode Status, string Body)> SendAsync(NodeProcess node, string? bearer = null, string? header = null) =>
        AuthClient.SendTextAsync(node, "GET", "/api/v1/node", authorization: header ?? (bearer is null ? null : $"Bearer {bearer}"));
}
