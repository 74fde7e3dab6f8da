using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;

namespace AuroraNode.Tests.Node;

/// <summary>One real lead node (its own PostgreSQL and Redis) shared by read-only checks.</summary>
[NonParallelizable]
public sealed class LeadNodeTests
{
    private TempDirectory _temp = null!;
    private NodeProcess _node = null!;
    private TimeSpan _firstStart;

    [OneTimeSetUp]
    public async Task StartNode()
    {
        _temp = new TempDirectory();
        _node = new NodeProcess(new NodeConfigFile(_temp, "lead1"));
        var clock = Stopwatch.StartNew();
        await _node.StartAndWaitReadyAsync();
        _firstStart = clock.Elapsed;
    }

    [OneTimeTearDown]
    public async Task StopNode()
    {
        await _node.DisposeAsync();
        _temp.Dispose();
    }

    [Test]
    public void FirstStart_IncludingInitdb_IsReadyWithin30Seconds() =>
        Assert.That(_firstStart, Is.LessThan(TimeSpan.FromSeconds(30)));

    [Test]
    public void Start_PrintsWhereTheApiIs() =>
        Assert.That(_node.Output, Does.Contain($"API at {_node.Config.ApiUrl}"));

    [Test]
    public async Task NodeEndpoint_DescribesNameRolesVersionAndRunningModules()
    {
        var node = await _node.GetJsonAsync("/api/v1/node");

        Assert.That(node.GetProperty("name").GetString(), Is.EqualTo("lead1"));
        Assert.That(node.GetProperty("roles").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "lead" }));
        Assert.That(node.GetProperty("version").GetString(), Does.Match(@"^\d+\.\d+\.\d+"));
        Assert.That(node.GetProperty("uptime_seconds").GetInt64(), Is.GreaterThanOrEqualTo(0));
        Assert.That(node.GetProperty("ready").GetBoolean(), Is.True);
        var modules = node.GetProperty("modules").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("state").GetString());
        Assert.That(modules, Is.EquivalentTo(new Dictionary<string, string?> { ["postgres"] = "running", ["redis"] = "running", ["eventbus"] = "running", ["registry"] = "running", ["auth"] = "running", ["router"] = "running" }));
    }

    [Test]
    public async Task HealthEndpoints_LiveAndReadyAnswer200()
    {
        using var live = await _node.Http.GetAsync("/health/live");
        using var ready = await _node.Http.GetAsync("/health/ready");

        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ready"));
    }

    [Test]
    public async Task Metrics_HaveProcessHttpAndModuleFamilies()
    {
        await _node.Http.GetAsync("/api/v1/node");

        var text = await _node.Http.GetStringAsync("/metrics");

        Assert.That(text, Does.Contain("process_working_set_bytes"));
        Assert.That(text, Does.Contain("http_request_duration_seconds_count{code=\"200\",method=\"GET\""));
        Assert.That(text, Does.Contain("aurora_module_up{module=\"postgres\"} 1"));
        Assert.That(text, Does.Contain("aurora_module_up{module=\"redis\"} 1"));
        Assert.That(text, Does.Contain("aurora_node_info{node=\"lead1\""));
    }

    [Test]
    public async Task UnknownEndpoint_IsProblemJsonWithAMessage()
    {
        using var response = await _node.Http.GetAsync("/api/v1/nothing-here");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("/api/v1/nothing-here"));
    }

    [Test]
    public async Task WrongMethod_Is405ProblemJson()
    {
        using var response = await _node.Http.DeleteAsync("/api/v1/node");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task StatusCommand_ShowsNodeAndModuleTable()
    {
        var result = await Executable.RunAsync("status", "--config", _node.Config.Path);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.That(lines[0], Does.Match(@"^NODE\s+ROLES\s+VERSION\s+UPTIME\s+READY\s+API"));
        Assert.That(lines[1], Does.Match(@"^lead1\s+lead\s+\S+\s+\S+\s+yes\s+http://"));
        Assert.That(result.Stdout, Does.Match(@"postgres\s+running\s+PostgreSQL answering"));
        Assert.That(result.Stdout, Does.Match(@"redis\s+running\s+Redis answering"));
    }

    [Test]
    public async Task StatusCommand_ReadsTheApiAddressFromTheConfig()
    {
        var result = await Executable.RunAsync("status", "--config", _node.Config.Path, "--json");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(JsonDocument.Parse(result.Stdout).RootElement.GetProperty("name").GetString(), Is.EqualTo("lead1"));
    }

    [Test]
    public void CredentialsFile_IsOwnerOnlyAndHoldsEveryGeneratedPassword()
    {
        var path = Path.Combine(_node.Config.DataDir, "credentials");

        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var keys = JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateObject().Select(p => p.Name);
        Assert.That(keys, Is.SupersetOf(new[] { "postgres.superuser_password", "postgres.replication_password", "redis.password" }));
    }

    [Test]
    public async Task Passwords_NeverAppearInOutputLogsMetricsOrProcessListings()
    {
        var metrics = await _node.Http.GetStringAsync("/metrics");
        var credentials = JsonDocument.Parse(File.ReadAllText(Path.Combine(_node.Config.DataDir, "credentials"))).RootElement
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var secrets = credentials.Values.ToList();
        // The first admin's generated password is printed once on stdout by design (and never logged).
        var output = _node.Output.Split(credentials["auth.admin_password"]);
        Assert.That(output, Has.Length.EqualTo(2), "the admin password is printed exactly once");
        var logs = string.Concat(Directory.GetFiles(Path.Combine(_node.Config.DataDir, "logs")).Select(File.ReadAllText));
        var listings = string.Concat(ProcessCleanup.ProcessesUnder(_temp.Path).Select(pid => SafeRead($"/proc/{pid}/cmdline")));

        Assert.That(logs, Is.Not.Empty);
        foreach (var secret in secrets)
        {
            Assert.That(string.Concat(output), Does.Not.Contain(secret));
            Assert.That(logs, Does.Not.Contain(secret));
            Assert.That(listings, Does.Not.Contain(secret));
            Assert.That(metrics, Does.Not.Contain(secret));
        }
    }

    [Test]
    public void LogFile_IsCompactJsonTaggedWithModules()
    {
        var file = Directory.GetFiles(Path.Combine(_node.Config.DataDir, "logs")).Single();
        var events = File.ReadAllLines(file).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.That(events.Select(e => e.GetProperty("module").GetString()).Distinct(), Is.SupersetOf(new[] { "host", "postgres", "redis" }));
    }

    [Test]
    public void PostgreSQL_RunsAsAnUnprivilegedUserWhenTheNodeIsRoot()
    {
        Assume.That(Posix.GetEuid(), Is.Zero, "only meaningful when the tests run as root");
        var postmaster = int.Parse(File.ReadLines(Path.Combine(_node.Config.DataDir, "postgres", "postmaster.pid")).First());
        var uid = File.ReadLines($"/proc/{postmaster}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];

        Assert.That(uid, Is.Not.EqualTo("0"));
    }

    [Test]
    public async Task Migrations_AreAppliedAndJournaledPerSchema()
    {
        await using var conn = await OpenDatabaseAsync();

        var applied = await conn.QueryAsync<string>("SELECT scriptname FROM node.schema_versions");
        var starts = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM node.starts WHERE node_name = 'lead1'");

        Assert.That(applied, Does.Contain("0001_starts"));
        Assert.That(starts, Is.EqualTo(1));
    }

    [Test]
    public async Task Redis_RequiresThePasswordAndPersistsToAnAppendOnlyFile()
    {
        var password = JsonDocument.Parse(File.ReadAllText(Path.Combine(_node.Config.DataDir, "credentials"))).RootElement.GetProperty("redis.password").GetString();
        await using var anonymous = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_node.Config.RedisPort},abortConnect=false,connectTimeout=1000");
        await using var authed = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_node.Config.RedisPort},password={password},allowAdmin=true");

        Assert.That(async () => await anonymous.GetDatabase().PingAsync(), Throws.InstanceOf<StackExchange.Redis.RedisException>());
        var config = await authed.GetServers()[0].ConfigGetAsync("appendonly");
        Assert.That(config.Single().Value, Is.EqualTo("yes"));
    }

    private async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var password = JsonDocument.Parse(File.ReadAllText(Path.Combine(_node.Config.DataDir, "credentials"))).RootElement.GetProperty("postgres.superuser_password").GetString();
        var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={_node.Config.PostgresPort};Username=postgres;Password={password};Database=aurora");
        await conn.OpenAsync();
        return conn;
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }
}
