using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.Registry;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Joining;

/// <summary>Nodes joining a lead with join tokens: real node processes, tokens in the lead's Redis.</summary>
[NonParallelizable]
public sealed class JoinTests
{
    private static readonly string[] NotSecret = ["mesh.id", "mesh.lead_url", "redis.url", "redis.sentinels", "postgres.primary"];
    private readonly List<string> _tokens = [];
    private TempDirectory _temp = null!;
    private Mesh _mesh = null!;
#pragma warning disable NUnit1032 // Replaced when a test restarts the node; the last one is disposed in StopMesh.
    private NodeProcess _compute = null!;
#pragma warning restore NUnit1032

    [OneTimeSetUp]
    public async Task StartMesh()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp);
        var token = await CreateTokenAsync(new { role = "compute" });
        _compute = new NodeProcess(_mesh.JoiningConfig("compute1", "compute", token));
        await _compute.StartAndWaitReadyAsync();
    }

    [OneTimeTearDown]
    public async Task StopMesh()
    {
        // Null when the set-up failed halfway: stop what did start.
        if (_compute is not null)
        {
            await _compute.DisposeAsync();
        }

        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _temp.Dispose();
    }

    [Test]
    public async Task JoinedNode_KeepsTheMeshCredentialsInA0600File_AndIsActiveOnTheLead()
    {
        var file = Path.Combine(_compute.Config.DataDir, "credentials");
        var joined = Mesh.Credentials(_compute);
        var lead = Mesh.Credentials(_mesh.Lead);

        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(joined["mesh.id"], Is.EqualTo(lead["mesh.id"]));
        Assert.That(joined["redis.password"], Is.EqualTo(lead["redis.password"]));
        Assert.That(joined["redis.url"], Is.EqualTo($"redis://127.0.0.1:{_mesh.Lead.Config.RedisPort}"));
        Assert.That(joined["postgres.replication_password"], Is.EqualTo(lead["postgres.replication_password"]));
        Assert.That(joined, Does.ContainKey("node.signing_key").And.Not.ContainKey("node.key"));
        await RegistryTests.WaitForAsync(_mesh.Lead, n => n.TryGetProperty("compute1", out var v) && RegistryTests.Status(v) == "active");
    }

    [Test]
    public async Task JoinedNode_Restarted_NeedsNoTokenAndDoesNotPresentItAgain()
    {
        var attemptsBefore = JoinAttemptsOnTheLead("compute1");
        Assert.That(await _compute.StopAsync(), Is.Zero);
        _compute = new NodeProcess(_compute.Config); // Its config still holds the used token.
        await _compute.StartAndWaitReadyAsync();

        Assert.That(_compute.Output, Does.Contain("Already joined mesh").And.Not.Contain("Joining the mesh"));
        Assert.That(JoinAttemptsOnTheLead("compute1"), Is.EqualTo(attemptsBefore));
    }

    [TestCase("unknown", 403, "not one this mesh issued")]
    [TestCase("expired", 403, "expired at")]
    [TestCase("used", 403, "already used (by probe-used)")]
    [TestCase("role", 403, "for a node with role backup")]
    [TestCase("name_taken", 409, "a node named 'compute1' is active")]
    public async Task Join_BadToken_IsRefusedWithTheReasonAndLoggedOnTheLead(string kind, int status, string reason)
    {
        var (token, name) = kind switch
        {
            "unknown" => ("aurora_join_" + new string('x', 43), "probe-unknown"),
            "expired" => (await CreateTokenAsync(new { ttl = "1s" }), "probe-expired"),
            "used" => (await CreateTokenAsync(new { }), "probe-used"),
            "role" => (await CreateTokenAsync(new { role = "backup" }), "probe-role"),
            _ => (await CreateTokenAsync(new { }), "compute1"),
        };
        if (kind == "expired")
        {
            await Task.Delay(1500);
        }
        else if (kind == "used")
        {
            Assert.That((await JoinAsync(token, name, "compute")).Status, Is.EqualTo(200));
        }

        var (code, body) = await JoinAsync(token, name, "compute");

        Assert.That(code, Is.EqualTo(status), body);
        Assert.That(body, Does.Contain(reason));
        // The lead's console output reaches the test a moment after its answer.
        await Registry.RegistryTests.WaitUntilAsync(async () => LeadLog().Contains($"Refused a join of node {name}"));
    }

    [Test]
    public async Task Join_RefusedForItsRole_LeavesTheTokenUsableByTheRightRole()
    {
        var token = await CreateTokenAsync(new { role = "backup" });

        Assert.That((await JoinAsync(token, "probe-edge", "edge")).Status, Is.EqualTo(403));
        Assert.That((await JoinAsync(token, "probe-backup", "backup")).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Join_TokenForTwoUses_AdmitsTwoNodesThenRefuses()
    {
        var token = await CreateTokenAsync(new { uses = 2 });

        var codes = new[] { await JoinAsync(token, "probe-a", "edge"), await JoinAsync(token, "probe-b", "edge"), await JoinAsync(token, "probe-c", "edge") };

        Assert.That(codes.Select(c => c.Status), Is.EqualTo(new[] { 200, 200, 403 }));
    }

    [Test]
    public async Task NodeWithAUsedToken_StopsWithExitCode78_AndTheLeadCountsTheWarning()
    {
        var token = await CreateTokenAsync(new { });
        Assert.That((await JoinAsync(token, "probe-first", "compute")).Status, Is.EqualTo(200));

        await using var late = new NodeProcess(_mesh.JoiningConfig("late1", "compute", token));
        late.Start();

        Assert.That(await late.WaitForExitAsync(), Is.EqualTo(78), late.Output);
        Assert.That(late.Output, Does.Contain("already used (by probe-first)"));
        var report = await WaitForLeadReportAsync(r => r.GetProperty("log_problems_by_module").TryGetProperty("registry", out _));
        Assert.That(report.GetProperty("warnings").GetInt32(), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task NodeWithLeadUrlButNoToken_StopsWithExitCode78ExplainingHowToJoin()
    {
        var config = _mesh.JoiningConfig("stranger1", "edge", "unused");
        config.Sections["mesh"] = $"lead_url: {_mesh.Lead.Config.ApiUrl}";
        await using var stranger = new NodeProcess(config);
        stranger.Start();

        Assert.That(await stranger.WaitForExitAsync(), Is.EqualTo(78), stranger.Output);
        Assert.That(stranger.Output, Does.Contain("join-token create").And.Contain("mesh.join_token"));
    }

    [Test]
    public async Task NoSecret_AppearsInALogLineOrTheProcessListing()
    {
        var secrets = _tokens
            .Concat(Mesh.Credentials(_mesh.Lead).Concat(Mesh.Credentials(_compute)).Where(c => !NotSecret.Contains(c.Key)).Select(c => c.Value))
            .Distinct().ToList();
        var logs = Directory.EnumerateFiles(_temp.Path, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText);
        var listing = await ProcessListingAsync();

        // The first admin's generated password is printed once on the lead's stdout by design; never in a log.
        var adminPassword = Mesh.Credentials(_mesh.Lead)["auth.admin_password"];
        var leadStdout = _mesh.Lead.Output.Split(adminPassword);

        Assert.That(secrets, Has.Count.GreaterThanOrEqualTo(6));
        Assert.That(leadStdout, Has.Length.EqualTo(2), "the admin password is printed exactly once");
        foreach (var text in logs.Append(string.Concat(leadStdout)).Append(_compute.Output).Append(listing))
        {
            Assert.That(secrets.Where(text.Contains), Is.Empty);
        }
    }

    [Test]
    public async Task JoinTokenCreate_PrintsTheTokenAsJsonOrWithTheConfigToAdd()
    {
        var json = await Executable.RunAsync("join-token", "create", "--config", _mesh.Lead.Config.Path, "--role", "edge", "--ttl", "10m", "--json");
        var text = await Executable.RunAsync("join-token", "create", "--config", _mesh.Lead.Config.Path);

        Assert.That(json.ExitCode, Is.Zero, json.ToString());
        var created = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.That(created.GetProperty("token").GetString(), Does.StartWith("aurora_join_"));
        Assert.That(created.GetProperty("role").GetString(), Is.EqualTo("edge"));
        Assert.That(created.GetProperty("expires_at").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow.AddMinutes(10)).Within(TimeSpan.FromMinutes(1)));
        Assert.That(text.ExitCode, Is.Zero, text.ToString());
        Assert.That(text.Stdout, Does.Contain("usable once").And.Contain($"lead_url: http://127.0.0.1:{_mesh.Lead.Config.ApiPort}").And.Match("join_token: aurora_join_\\S{43}"));
    }

    [TestCase("--ttl", "soon", "\"ttl\" must be a duration")]
    [TestCase("--role", "lead", "\"role\" must be backup, compute or edge")]
    [TestCase("--uses", "0", "\"uses\" must be from 1 to 1000")]
    public async Task JoinTokenCreate_BadOption_FailsNamingIt(string option, string value, string message)
    {
        var result = await Executable.RunAsync("join-token", "create", "--config", _mesh.Lead.Config.Path, option, value);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Stderr, Does.Contain("400: " + message));
    }

    [Test]
    public async Task JoinTokens_AreNotIssuedByAComputeNode()
    {
        using var response = await _compute.Http.PostAsJsonAsync("/api/v1/join-tokens", new { });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("use the lead's API"));
    }

    private async Task<string> CreateTokenAsync(object request)
    {
        var token = await _mesh.CreateJoinTokenAsync(request);
        _tokens.Add(token);
        return token;
    }

    private async Task<(int Status, string Body)> JoinAsync(string token, string name, string role)
    {
        using var response = await _mesh.Lead.Http.PostAsJsonAsync("/api/v1/join", new { token, name, roles = new[] { role }, public_key = TestKeys.NewPublicKey() });
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> WaitForLeadReportAsync(Func<JsonElement, bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until)
        {
            var nodes = (await _mesh.Lead.GetJsonAsync("/api/health-report")).GetProperty("nodes");
            if (nodes.TryGetProperty("lead", out var lead) && condition(lead.GetProperty("report")))
            {
                return lead.GetProperty("report");
            }

            await Task.Delay(100);
        }

        Assert.Fail("no health report of the lead met the condition");
        throw new UnreachableException();
    }

    private string LeadLog() => _mesh.Lead.Output;

    private int JoinAttemptsOnTheLead(string node) =>
        LeadLog().Split('\n').Count(l => l.Contains($"Refused a join of node {node} ") || l.Contains($"Node {node} joined the mesh"));

    private static async Task<string> ProcessListingAsync()
    {
        using var ps = Process.Start(new ProcessStartInfo("ps", "-eo args") { RedirectStandardOutput = true })!;
        var listing = await ps.StandardOutput.ReadToEndAsync();
        await ps.WaitForExitAsync();
        return listing;
    }
}
