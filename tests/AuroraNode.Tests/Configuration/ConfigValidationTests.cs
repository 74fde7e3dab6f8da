using AuroraNode.Configuration;
using AuroraNode.Hosting;
using AuroraNode.Modules;
using AuroraNode.Tests.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Tests.Configuration;

public sealed class ConfigValidationTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public void Load_ShippedConfigFile_IsValidWithoutWarnings()
    {
        var config = NodeConfig.Load(Path.Combine(Executable.RepoRoot, "aurora-node.yaml"), new ServiceCollection(), ModuleCatalog.All, out var error);

        Assert.That(error, Is.Null);
        Assert.That(config!.Report.Errors, Is.Empty);
        Assert.That(config.Report.Warnings, Is.Empty);
        Assert.That(config.Settings.Node.Roles, Is.EquivalentTo(new[] { NodeRole.Lead }));
        Assert.That(config.Modules.Where(m => m.Loaded).Select(m => m.Name), Is.EqualTo(new[] { "redis", "postgres", "eventbus", "registry", "auth", "router" }));
    }

    [TestCase("api:\n  listen: 0.0.0.0:http\n", "api.listen", "host:port")]
    [TestCase("api:\n  metrics_allow: [10.0.0.0/24, prometheus]\n", "api.metrics_allow", "got 'prometheus'")]
    [TestCase("postgres:\n  port: five\n", "postgres.port", "whole number")]
    [TestCase("postgres:\n  port: 70000\n", "postgres.port", "between 1 and 65535")]
    [TestCase("postgres:\n  managed: maybe\n", "postgres.managed", "true or false")]
    [TestCase("node:\n  roles: [lead, gpu]\n", "node.roles", "unknown role 'gpu'")]
    [TestCase("node:\n  roles: []\n", "node.roles", "at least one role")]
    [TestCase("node:\n  name: 'bad name!'\n", "node.name", "not a valid node name")]
    [TestCase("node:\n  advertise_address: somewhere\n", "node.advertise_address", "IP address")]
    [TestCase("logging:\n  level: loud\n", "logging.level", "one of")]
    [TestCase("postgres:\n  stop_timeout: soon\n", "postgres.stop_timeout", "duration")]
    [TestCase("postgres:\n  port:\n    a: 1\n", "postgres.port", "single value")]
    [TestCase("postgres:\n  bin_dir: /nonexistent/bin\n", "postgres.bin_dir", "no PostgreSQL server binaries")]
    [TestCase("postgres:\n  managed: false\n", "postgres.connection_string", "required when postgres.managed is false")]
    [TestCase("redis:\n  url: redis://:pw@127.0.0.1:6380\n  managed: true\n", "redis.url", "not both")]
    [TestCase("redis:\n  managed: false\n  url: http://example\n", "redis.url", "redis://")]
    [TestCase("node:\n  roles: [compute]\n", "redis.url", "required when redis.managed is false")]
    [TestCase("redis:\n  server_path: /nonexistent/redis-server\n", "redis.server_path", "does not exist")]
    [TestCase("node:\n  roles: [compute]\nmesh:\n  lead_url: 10.0.0.1:8700\n", "mesh.lead_url", "http://10.0.0.1:8700")]
    [TestCase("mesh:\n  lead_url: http://10.0.0.1:8700\n", "mesh.lead_url", "a lead node does not join")]
    [TestCase("node:\n  roles: [compute]\nmesh:\n  join_token: aurora_join_x\n", "mesh.join_token", "needs mesh.lead_url")]
    [TestCase("postgres:\n  ttl: 4s\n", "postgres.ttl", "at least loop_wait + 2 × retry_timeout (5s)")]
    [TestCase("postgres:\n  ttl: 10s\n  loop_wait: 2s\n  retry_timeout: 5s\n", "postgres.ttl", "(12s), got 10s")]
    [TestCase("postgres:\n  maximum_lag_on_failover: lots\n", "postgres.maximum_lag_on_failover", "a size like")]
    [TestCase("postgres:\n  failover: sometimes\n", "postgres.failover", "true or false")]
    public void Load_BadValue_ReportsKeyFileLineAndReason(string yaml, string key, string reason)
    {
        var config = ConfigFixture.Load(_temp, yaml);

        Assert.That(config.IsValid, Is.False);
        var issue = config.Report.Errors.Single(e => e.Key == key);
        Assert.That(issue.Message, Does.Contain(reason));
        Assert.That(issue.Source, Does.StartWith(config.Report.FilePath!));
    }

    [Test]
    public void Load_SeveralBadValues_ReportsEveryOneAtOnceWithLines()
    {
        var config = ConfigFixture.Load(_temp, "node:\n  roles: [boss]\napi:\n  listen: nowhere\npostgres:\n  port: x\n");

        Assert.That(config.Report.Errors.Select(e => e.Key), Is.EquivalentTo(new[] { "node.roles", "api.listen", "postgres.port" }));
        Assert.That(config.Report.Errors.Single(e => e.Key == "postgres.port").Source, Does.EndWith(":6"));
    }

    [Test]
    public void Load_UnknownKeys_AreWarningsNotErrors()
    {
        var config = ConfigFixture.Load(_temp, "node:\n  nmae: typo\npostgress:\n  port: 1\nredis:\n  prot: 1\n");

        Assert.That(config.IsValid, Is.True);
        Assert.That(config.Report.Warnings.Select(w => w.Key), Is.EquivalentTo(new[] { "node.nmae", "postgress.port", "redis.prot" }));
        Assert.That(config.Report.Warnings.First().Message, Does.Contain("unknown key"));
    }

    [Test]
    public void Load_YamlSyntaxError_NamesFileAndLine()
    {
        var path = _temp.Combine("broken.yaml");
        File.WriteAllText(path, "node:\n  name: a\n  roles: [lead\napi: {}\n");

        var config = NodeConfig.Load(path, new ServiceCollection(), ModuleCatalog.All, out var error);

        Assert.That(config, Is.Null);
        Assert.That(error, Does.StartWith(path + ":").And.Contain("YAML syntax error"));
    }

    [Test]
    public void Load_MissingExplicitFile_IsAnError()
    {
        var config = NodeConfig.Load(_temp.Combine("nope.yaml"), new ServiceCollection(), ModuleCatalog.All, out var error);

        Assert.That(config, Is.Null);
        Assert.That(error, Does.Contain("not found"));
    }

    [Test]
    public void Load_EnvironmentVariable_OverridesFileAndIsNamedInErrors()
    {
        Environment.SetEnvironmentVariable("AURORA__API__LISTEN", "127.0.0.1:9999");
        Environment.SetEnvironmentVariable("AURORA__POSTGRES__PORT", "not-a-port");
        try
        {
            var config = ConfigFixture.Load(_temp, "api:\n  listen: 0.0.0.0:8700\n");

            Assert.That(config.Settings.Api.Port, Is.EqualTo(9999));
            Assert.That(config.Report.Errors.Single().Source, Is.EqualTo("environment AURORA__POSTGRES__PORT"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AURORA__API__LISTEN", null);
            Environment.SetEnvironmentVariable("AURORA__POSTGRES__PORT", null);
        }
    }

    [Test]
    public void Load_RolesAsCommaSeparatedString_AreAccepted()
    {
        var config = ConfigFixture.Load(_temp, "node:\n  roles: lead, backup\n");

        Assert.That(config.Settings.Node.Roles, Is.EquivalentTo(new[] { NodeRole.Lead, NodeRole.Backup }));
    }

    [Test]
    public void Load_RelativeDataDir_IsRelativeToTheConfigFile()
    {
        var config = ConfigFixture.Load(_temp, "node:\n  data_dir: ./somewhere\n");

        Assert.That(config.Settings.Node.DataDir, Is.EqualTo(_temp.Combine("somewhere")));
    }

    [Test]
    public void Load_ComputeRole_DoesNotManageRedisByDefault()
    {
        var services = new ServiceCollection();
        var config = ConfigFixture.Load(_temp, "node:\n  roles: [compute]\nredis:\n  url: redis://:pw@10.0.0.1:6380\n", services);

        Assert.That(config.IsValid, Is.True, string.Join("\n", config.Report.Errors));
        Assert.That(services.Any(d => d.ImplementationType?.Name == "RedisServer" || d.ServiceType.Name == "RedisServer"), Is.False);
    }

    [Test]
    public void Load_DisabledModuleThatOthersNeed_IsAnErrorNamingBoth()
    {
        var config = ConfigFixture.Load(_temp, "modules:\n  redis:\n    enabled: false\n");

        Assert.That(config.Report.Errors.Select(e => e.Key), Is.EqualTo(new[] { "modules.redis.enabled", "modules.redis.enabled", "modules.redis.enabled" }));
        Assert.That(config.Report.Errors[0].Message, Does.Contain("the eventbus module needs the redis module"));
    }

    [Test]
    public void Load_SettingsOfADisabledModule_AreNeitherValidatedNorUnknown()
    {
        var config = ConfigFixture.Load(_temp, "modules:\n  redis:\n    enabled: false\n  eventbus:\n    enabled: false\n  registry:\n    enabled: false\n  auth:\n    enabled: false\nredis:\n  port: nonsense\n");

        Assert.That(config.IsValid, Is.True);
        Assert.That(config.Report.Warnings, Is.Empty);
        Assert.That(config.Modules.Single(m => m.Name == "redis").Reason, Does.Contain("disabled"));
    }
}
