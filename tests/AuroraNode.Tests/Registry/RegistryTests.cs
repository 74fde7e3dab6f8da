using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AuroraNode.Tests.EventBus;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Registry;

/// <summary>The registry across three node processes (lead, backup, compute) with a 500 ms heartbeat, 2 s warning, 4 s offline.</summary>
[NonParallelizable]
public sealed class RegistryTests
{
    private TempDirectory _temp = null!;
    private Mesh _mesh = null!;
    private NodeProcess _backup = null!;
#pragma warning disable NUnit1032 // Replaced when a test restarts the node; the last one is disposed in StopMesh.
    private NodeProcess _compute = null!;
#pragma warning restore NUnit1032

    [OneTimeSetUp]
    public async Task StartMesh()
    {
        _temp = new TempDirectory();
        _mesh = await Mesh.StartAsync(_temp);
        _backup = await _mesh.AddAsync("backup1", "backup");
        _compute = await _mesh.AddAsync("compute1", "compute");
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
    public async Task EveryNode_RegistersItselfWithDetectedCapabilities_AndEveryNodeSeesAllAsActive()
    {
        foreach (var asker in new[] { _mesh.Lead, _backup, _compute })
        {
            var nodes = await WaitForAsync(asker, n => new[] { "lead", "backup1", "compute1" }.All(name => n.TryGetProperty(name, out var v) && Status(v) == "active"));

            Assert.That(nodes.GetProperty("lead").GetProperty("role").GetString(), Is.EqualTo("lead"));
            Assert.That(nodes.GetProperty("compute1").GetProperty("role").GetString(), Is.EqualTo("compute"));
            var caps = nodes.GetProperty("compute1").GetProperty("capabilities");
            Assert.That(caps.GetProperty("cpu_cores").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(caps.GetProperty("ram_gb").GetDouble(), Is.GreaterThan(0));
            Assert.That(caps.GetProperty("gpu").ValueKind, Is.AnyOf(JsonValueKind.True, JsonValueKind.False));
        }
    }

    [Test]
    public async Task Stats_CountNodesByRole()
    {
        await WaitForAsync(_mesh.Lead, n => n.EnumerateObject().Count() >= 3);

        var stats = await _mesh.Lead.GetJsonAsync("/stats");

        Assert.That(stats.GetProperty("total_nodes").GetInt32(), Is.GreaterThanOrEqualTo(3));
        Assert.That(stats.GetProperty("nodes_by_role").GetProperty("lead").GetInt32(), Is.EqualTo(1));
        Assert.That(stats.GetProperty("nodes_by_role").GetProperty("backup").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task ScriptRegistration_WithTheSeedBody_AppearsAndHeartbeatsKeepItActive()
    {
        using var response = await _mesh.Lead.Http.PostAsJsonAsync("/nodes/register", new
        {
            name = "runpod-tx",
            role = "compute",
            vpn_ip = "10.0.0.3",
            public_ip = "82.221.170.242",
            capabilities = new { gpu = true, gpu_count = 2, gpu_type = "RTX 4090", gpu_memory = 48 },
            metadata = new { os = "ubuntu" },
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());

        // The script's own heartbeats arrive as events; the lead records them.
        for (var i = 0; i < 10; i++)
        {
            using var beat = await _mesh.Lead.Http.PostAsJsonAsync("/api/v1/events/aurora:events:global", new { type = "node_heartbeat", data = new { node = "runpod-tx", role = "compute", status = "active" } });
            await Task.Delay(500);
        }

        var node = await _backup.GetJsonAsync("/nodes/runpod-tx");
        Assert.That(Status(node), Is.EqualTo("active"), "five seconds after registering, kept alive by its heartbeats");
        var topology = await _compute.GetJsonAsync("/topology");
        Assert.That(topology.GetProperty("connections").EnumerateArray().Select(c => $"{c.GetProperty("source").GetString()}>{c.GetProperty("target").GetString()}:{c.GetProperty("type").GetString()}"),
            Does.Contain("runpod-tx>lead:gpu_mesh").And.Contain("lead>compute1:db_replication"));
        Assert.That((await _mesh.Lead.GetJsonAsync("/stats")).GetProperty("total_gpus").GetDouble(), Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public async Task NodesCommand_PrintsTheSeedTable()
    {
        await WaitForAsync(_mesh.Lead, n => n.TryGetProperty("compute1", out _));

        var result = await Executable.RunAsync("nodes", "--config", _mesh.Lead.Config.Path);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout.Split('\n')[0], Does.Match(@"^NAME\s+ROLE\s+STATUS\s+IP\s+GPU\s+LAST SEEN"));
        Assert.That(result.Stdout, Does.Match(@"(?m)^compute1\s+compute\s+\w+\s+127\.0\.0\.1\s+-\s+\d{4}-"));
    }

    [TestCase("{\"role\":\"compute\"}", "\\\"name\\\"")]
    [TestCase("{\"name\":\"x y\",\"role\":\"compute\"}", "\\\"name\\\"")]
    [TestCase("{\"name\":\"ok\",\"role\":\"wizard\"}", "\\\"role\\\" must be")]
    [TestCase("{\"name\":\"ok\",\"role\":\"edge\",\"capabilities\":[1]}", "JSON objects")]
    public async Task Register_BadBody_Is400WithTheReason(string body, string reason)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _mesh.Lead.Http.PostAsync("/nodes/register", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(reason));
    }

    [Test]
    public async Task UnknownNode_Is404ProblemJson()
    {
        using var response = await _mesh.Lead.Http.GetAsync("/nodes/nobody");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("no node named 'nobody'"));
    }

    [Test]
    public async Task KilledNode_GoesWarningThenOffline_ThenActiveWhenItRestarts()
    {
        Posix.Kill(_compute.Pid, Posix.SigKill);

        await WaitForAsync(_mesh.Lead, n => Status(n.GetProperty("compute1")) == "warning");
        await WaitForAsync(_mesh.Lead, n => Status(n.GetProperty("compute1")) == "offline");
        await _compute.DisposeAsync();
        _compute = new NodeProcess(_compute.Config);
        await _compute.StartAndWaitReadyAsync();

        await WaitForAsync(_mesh.Lead, n => Status(n.GetProperty("compute1")) == "active");
        var alerts = await AlertsAsync(_mesh.Lead, "compute1", "node_offline");
        Assert.That(alerts.Count(a => a == "alert_raised"), Is.EqualTo(1), "one alert for the incident");
        await WaitUntilAsync(async () => (await AlertsAsync(_mesh.Lead, "compute1", "node_offline")).Contains("alert_resolved"));
    }

    [Test]
    public async Task RedisKilled_EveryNodeReconnects_HeartbeatsResume_AndNoDurableEventIsLost()
    {
        var redisPid = await RedisPidAsync();
        Posix.Kill(redisPid!.Value, Posix.SigKill);
        await WaitUntilAsync(async () => !await _compute.IsReadyAsync());

        // Published while Redis is away: held in each node's outbox.
        var fromCompute = await MeshEventsTests.PublishAsync(_compute, "aurora:ai:task", "render", new { prompt = "while redis was down" });
        var fromBackup = await MeshEventsTests.PublishAsync(_backup, "aurora:system:alert", "test_alert", new { node = "backup1", kind = "test" });
        await WaitUntilAsync(async () => await RedisPidAsync() is { } pid && pid != redisPid);
        var restartedAt = DateTimeOffset.UtcNow;

        foreach (var node in new[] { "lead", "backup1", "compute1" })
        {
            await WaitForAsync(_mesh.Lead, n => n.GetProperty(node).GetProperty("last_seen").GetDateTimeOffset() > restartedAt && Status(n.GetProperty(node)) == "active");
        }

        await MeshEventsTests.WaitForAsync(_mesh.Lead, fromCompute, TimeSpan.FromSeconds(30));
        await MeshEventsTests.WaitForAsync(_backup, fromCompute, TimeSpan.FromSeconds(30));
        await MeshEventsTests.WaitForAsync(_mesh.Lead, fromBackup, TimeSpan.FromSeconds(30));
        await MeshEventsTests.WaitForAsync(_compute, fromBackup, TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task Backup_HonoursATokenTheLeadIssued_WithTheSameMeshIdentity()
    {
        var token = await _mesh.CreateJoinTokenAsync(new { role = "edge" });

        using var response = await _backup.Http.PostAsJsonAsync("/api/v1/join", new { token, name = "edge-via-backup", roles = new[] { "edge" }, public_key = TestKeys.NewPublicKey() });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var granted = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("credentials");
        Assert.That(granted.GetProperty("mesh.id").GetString(), Is.EqualTo(Mesh.Credentials(_mesh.Lead)["mesh.id"]));
        Assert.That(granted.GetProperty("redis.url").GetString(), Is.EqualTo($"redis://127.0.0.1:{_mesh.Lead.Config.RedisPort}"));
    }

    [Test]
    public async Task HealthReports_FromEveryNode_AppearInTheMeshView()
    {
        JsonElement view = default;
        await WaitUntilAsync(async () =>
        {
            view = (await _backup.GetJsonAsync("/api/health-report")).GetProperty("nodes");
            return new[] { "lead", "backup1", "compute1" }.All(n => view.TryGetProperty(n, out _));
        });

        var report = view.GetProperty("compute1").GetProperty("report");
        Assert.That(report.GetProperty("memory_percent").GetDouble(), Is.InRange(0.1, 100));
        Assert.That(report.GetProperty("disk_percent").GetDouble(), Is.InRange(0.1, 100));
        Assert.That(report.GetProperty("modules").GetProperty("postgres").GetString(), Is.EqualTo("running"));
        Assert.That(report.GetProperty("errors").GetInt32(), Is.GreaterThanOrEqualTo(0));
        Assert.That(report.GetProperty("warnings").GetInt32(), Is.GreaterThanOrEqualTo(0));
    }

    [Test]
    public async Task HealthCommand_PrintsOneLinePerNode()
    {
        await WaitUntilAsync(async () => (await _mesh.Lead.GetJsonAsync("/api/health-report")).GetProperty("nodes").TryGetProperty("compute1", out _));

        var result = await Executable.RunAsync("health", "--config", _mesh.Lead.Config.Path);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout.Split('\n')[0], Does.Match(@"^NODE\s+STATUS\s+CPU\s+MEMORY\s+DISK\s+MODULES\s+REPORTED"));
        Assert.That(result.Stdout, Does.Match(@"(?m)^compute1\s+\w+\s+(\d+%|-)\s+\d+%\s+\d+%\s+"));
    }

    [TestCase("{}", "\\\"node\\\"")]
    [TestCase("{\"node\":\"x\",\"disk_percent\":140}", "between 0 and 100")]
    public async Task HealthReport_BadBody_Is400(string body, string reason)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _mesh.Lead.Http.PostAsync("/api/health-report", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(reason));
    }

    // Null while the lead restarts it.
    private async Task<int?> RedisPidAsync() =>
        (await _mesh.Lead.ModuleAsync("redis")).GetProperty("data").GetProperty("pid") is { ValueKind: JsonValueKind.Number } pid ? pid.GetInt32() : null;

    /// <summary>The types of alert events about one node and kind that the node has seen, oldest first.</summary>
    internal static async Task<List<string>> AlertsAsync(NodeProcess node, string about, string kind) =>
        (await node.GetJsonAsync("/api/v1/events/recent?channels=aurora:system:alert")).EnumerateArray()
            .Select(e => e.GetProperty("event"))
            .Where(e => e.GetProperty("data").GetProperty("node").GetString() == about && e.GetProperty("data").GetProperty("kind").GetString() == kind)
            .Select(e => e.GetProperty("type").GetString()!)
            .ToList();

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("condition not met within 30 s");
    }

    internal static string? Status(JsonElement node) => node.GetProperty("status").GetString();

    internal static async Task<JsonElement> WaitForAsync(NodeProcess node, Func<JsonElement, bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement nodes = default;
        while (DateTime.UtcNow < until)
        {
            try
            {
                nodes = (await node.GetJsonAsync("/nodes")).GetProperty("nodes");
                if (condition(nodes))
                {
                    return nodes;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or KeyNotFoundException or InvalidOperationException)
            {
                // Not there yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"condition not met on {node.Config.Name}; last /nodes: {nodes}");
        return nodes;
    }
}
