using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Security;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Auth;

/// <summary>
/// Every endpoint of real nodes needs a caller: a user's token or a node's signed request. Users read but are not
/// admins; another node is a node, not an admin; a node's own operator is; a revoked node is refused everywhere.
/// </summary>
[NonParallelizable]
public sealed class EndpointProtectionTests
{
    private static readonly HttpClient Anonymous = new() { Timeout = TimeSpan.FromSeconds(60) };

    private TempDirectory _temp = null!;
    private Mesh? _mesh;
    private NodeProcess _compute = null!;
    private NodeProcess _edge = null!;

    private NodeProcess Lead => _mesh!.Lead;

    [OneTimeSetUp]
    public async Task StartMeshAsync()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp, c => c.Sections["api"] = $"listen: 127.0.0.1:{c.ApiPort}\nmetrics_allow: [127.0.0.1/32]");
        _compute = await _mesh.AddAsync("compute1", "compute");
        _edge = await _mesh.AddAsync("edge1", "edge");
        var (admin, _) = await AuthClient.TokensAsync(Lead, "admin", Mesh.Credentials(Lead)["auth.admin_password"]);
        var (created, body, _) = await AuthClient.SendAsync(Lead, HttpMethod.Post, "/api/v1/auth/users", new { username = "alice", password = "correct horse battery", roles = new[] { "user" } }, admin);
        Assert.That(created, Is.EqualTo(HttpStatusCode.Created), body.ToString());
    }

    [OneTimeTearDown]
    public async Task StopMeshAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _temp.Dispose();
    }

    private static readonly string[][] Protected =
    [
        ["GET", "/api/v1/node"], ["GET", "/nodes"], ["GET", "/nodes/lead"], ["GET", "/stats"], ["GET", "/topology"],
        ["GET", "/api/health-report"], ["GET", "/api/v1/health/nodes"], ["POST", "/api/health-report"], ["POST", "/nodes/register"],
        ["GET", "/api/v1/replication"], ["POST", "/api/v1/replication/promote"], ["POST", "/api/v1/replication/demote"],
        ["POST", "/api/v1/join-tokens"], ["POST", "/api/v1/node/leave"], ["POST", "/api/v1/node/sleep"],
        ["GET", "/api/v1/events/recent"], ["GET", "/api/v1/events/stream"], ["POST", "/api/v1/events/global"],
        ["GET", "/api/tags"], ["GET", "/api/ps"], ["POST", "/api/generate"], ["POST", "/api/chat"], ["GET", "/v1/models"], ["POST", "/v1/chat/completions"],
        ["GET", "/api/v1/auth/sessions"], ["GET", "/api/v1/auth/users"], ["POST", "/api/v1/auth/rotate-keys"], ["POST", "/api/v1/nodes/compute1/revoke"],
        ["GET", "/no/such/endpoint"],
    ];

    [Test]
    public async Task EveryEndpoint_WithoutACaller_Answers401SayingHowToLogIn()
    {
        foreach (var target in new[] { Lead, _compute })
        {
            foreach (var endpoint in Protected)
            {
                using var response = await Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(endpoint[0]), target.Config.ApiUrl + endpoint[1]) { Content = endpoint[0] == "POST" ? Json("{}") : null });
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{endpoint[0]} {endpoint[1]} on {target.Config.Name}: {body}");
                Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), Does.Contain("/api/v1/auth/login"), $"{endpoint[0]} {endpoint[1]}");
            }
        }
    }

    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    [TestCase("/health")]
    [TestCase("/.well-known/jwks.json")]
    public async Task PublicEndpoints_AnswerWithoutACaller(string path)
    {
        using var response = await Anonymous.GetAsync(_compute.Config.ApiUrl + path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Metrics_OpenToTheAllowList_ElsewhereNeedACaller()
    {
        using var allowed = await Anonymous.GetAsync(Lead.Config.ApiUrl + "/metrics");
        using var notListed = await Anonymous.GetAsync(_compute.Config.ApiUrl + "/metrics");
        using var signed = await _compute.Http.GetAsync("/metrics");

        Assert.Multiple(async () =>
        {
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await allowed.Content.ReadAsStringAsync(), Does.Contain("aurora_"));
            Assert.That(notListed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(signed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task UserToken_FromAnotherNode_Reads_ButAdminOperationsAnswer403()
    {
        // Logged in here: revoking a node (another test) drops the signing keys of earlier tokens.
        var (userToken, _) = await AuthClient.TokensAsync(_compute, "alice", "correct horse battery");
        var reads = await SendAsync(Lead, "GET", "/nodes", bearer: userToken);
        var tokens = await SendAsync(Lead, "POST", "/api/v1/join-tokens", "{}", bearer: userToken);
        var promote = await SendAsync(_compute, "POST", "/api/v1/replication/promote", "{}", bearer: userToken);
        var users = await SendAsync(Lead, "GET", "/api/v1/auth/users", bearer: userToken);

        Assert.Multiple(() =>
        {
            Assert.That(reads.Status, Is.EqualTo(HttpStatusCode.OK), reads.Body);
            Assert.That(tokens.Status, Is.EqualTo(HttpStatusCode.Forbidden), tokens.Body);
            Assert.That(tokens.Body, Does.Contain("needs an admin"));
            Assert.That(promote.Status, Is.EqualTo(HttpStatusCode.Forbidden), promote.Body);
            Assert.That(users.Status, Is.EqualTo(HttpStatusCode.Forbidden), users.Body);
        });
    }

    [Test]
    public async Task AnotherNodesSignature_IsANode_NotAnAdmin_ItsOwnOperatorIsAnAdmin()
    {
        using var computeKey = KeyOf(_compute);
        var read = await SendAsync(Lead, "GET", "/nodes", signer: computeKey);
        var health = await SendAsync(Lead, "GET", "/api/health-report", signer: computeKey);
        var token = await SendAsync(Lead, "POST", "/api/v1/join-tokens", "{}", signer: computeKey);
        var sessions = await SendAsync(Lead, "GET", "/api/v1/auth/sessions", signer: computeKey);
        var asOperator = await SendAsync(_compute, "POST", "/api/v1/join-tokens", "{}", signer: computeKey);

        Assert.Multiple(() =>
        {
            Assert.That(read.Status, Is.EqualTo(HttpStatusCode.OK), read.Body);
            Assert.That(health.Status, Is.EqualTo(HttpStatusCode.OK), health.Body);
            Assert.That(token.Status, Is.EqualTo(HttpStatusCode.Forbidden), token.Body);
            Assert.That(token.Body, Does.Contain("node compute1"));
            Assert.That(sessions.Status, Is.EqualTo(HttpStatusCode.Forbidden), sessions.Body);
            // Its own operator is an admin on compute1, which serves no joins: the endpoint itself answers.
            Assert.That(asOperator.Status, Is.EqualTo(HttpStatusCode.Conflict), asOperator.Body);
        });
    }

    [Test]
    public async Task ForgedSignatures_AreRefusedWith401AndTheReason()
    {
        using var computeKey = KeyOf(_compute);
        using var stranger = TestKeys.NewSigningKey("compute1");
        using var unknown = TestKeys.NewSigningKey("nobody");
        var now = DateTimeOffset.UtcNow;
        var signed = computeKey.Authorization("POST", At(Lead, "/api/v1/events/global"), Encoding.UTF8.GetBytes("{\"type\":\"x\"}"), now);

        var cases = new (string Name, string Header, string Body, string Reason)[]
        {
            ("another key under its name", stranger.Authorization("GET", At(Lead, "/nodes"), [], now), "", "does not match"),
            ("a node that never joined", unknown.Authorization("GET", At(Lead, "/nodes"), [], now), "", "no key enrolled"),
            ("an old signature", computeKey.Authorization("GET", At(Lead, "/nodes"), [], now.AddMinutes(-5)), "", "clock"),
            ("a signature for another path", computeKey.Authorization("GET", At(Lead, "/stats"), [], now), "", "does not match"),
            ("a signature for another node", computeKey.Authorization("GET", At(_edge, "/nodes"), [], now), "", "does not match"),
            ("a changed body", signed, "{\"type\":\"y\"}", "does not match"),
            ("a malformed header", "AuroraNode node=compute1", "", "must be node="),
            ("an unknown scheme", "Basic YWRtaW46YWRtaW4=", "", "must be 'Bearer"),
        };
        foreach (var (name, header, body, reason) in cases)
        {
            var method = body.Length > 0 ? "POST" : "GET";
            var path = body.Length > 0 ? "/api/v1/events/global" : "/nodes";
            var answer = await SendAsync(Lead, method, path, body.Length > 0 ? body : null, header: header);
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), $"{name}: {answer.Body}");
            Assert.That(answer.Body, Does.Contain(reason), name);
        }

        var once = computeKey.Authorization("GET", At(Lead, "/nodes"), [], DateTimeOffset.UtcNow);
        var first = await SendAsync(Lead, "GET", "/nodes", header: once);
        var replayed = await SendAsync(Lead, "GET", "/nodes", header: once);
        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.OK), first.Body);
        Assert.That(replayed.Status, Is.EqualTo(HttpStatusCode.Unauthorized), replayed.Body);
        Assert.That(replayed.Body, Does.Contain("sent before"));
    }

    [Test]
    public async Task RevokedNode_IsRefusedOnEveryNodeWithinASecond_AndTheAdminSeesWhy()
    {
        using var edgeKey = KeyOf(_edge);
        Assert.That((await SendAsync(_compute, "GET", "/nodes", signer: edgeKey)).Status, Is.EqualTo(HttpStatusCode.OK));

        var revoke = await Executable.RunAsync("nodes", "revoke", "edge1", "--config", Lead.Config.Path);
        Assert.That(revoke.ExitCode, Is.Zero, revoke.Stderr + revoke.Stdout);
        Assert.That(revoke.Stdout, Does.Contain("node edge1 revoked"));
        var revokedAt = Stopwatch.StartNew();

        foreach (var target in new[] { Lead, _compute })
        {
            (HttpStatusCode Status, string Body) answer;
            do
            {
                answer = await SendAsync(target, "GET", "/nodes", signer: edgeKey);
            }
            while (answer.Status == HttpStatusCode.OK && revokedAt.Elapsed < TimeSpan.FromSeconds(1.5)); // session_check_cache: 1 s

            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), answer.Body);
            Assert.That(answer.Body, Does.Contain("edge1 was revoked"));
        }

        await TestContext.Out.WriteLineAsync($"revoked node refused on both nodes {revokedAt.ElapsedMilliseconds} ms after the CLI returned");
        var unknown = await Executable.RunAsync("nodes", "revoke", "no-such-node", "--config", Lead.Config.Path);
        Assert.That(unknown.ExitCode, Is.Not.Zero);
        Assert.That(unknown.Stderr, Does.Contain("404").And.Contain("no node named 'no-such-node'"));
    }

    private static NodeSigningKey KeyOf(NodeProcess node) => NodeSigningKey.Load(Mesh.Credentials(node)[CredentialKeys.NodeSigningKey], node.Config.Name);

    private static Uri At(NodeProcess node, string path) => new(node.Config.ApiUrl + path);

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static Task<(HttpStatusCode Status, string Body)> SendAsync(NodeProcess node, string method, string path, string? body = null, string? bearer = null, NodeSigningKey? signer = null, string? header = null) =>
        AuthClient.SendTextAsync(node, method, path, body, header
            ?? (bearer is null ? null : $"Bearer {bearer}")
            ?? signer?.Authorization(method, At(node, path), Encoding.UTF8.GetBytes(body ?? ""), DateTimeOffset.UtcNow));
}
