using AuroraNode.Modules.Auth;
using AuroraNode.Modules.Configuration;
using Microsoft.Extensions.Configuration;

namespace AuroraNode.Tests.Auth;

public sealed class AuthOptionsTests
{
    [Test]
    public void Read_NothingSet_TheDesignsDefaults()
    {
        var (options, errors) = Read();

        Assert.That(errors, Is.Empty);
        Assert.That(options, Is.EqualTo(new AuthOptions(TimeSpan.FromMinutes(30), TimeSpan.FromDays(7), TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(30), TimeSpan.FromDays(30), "aurora-node", "aurora-node")));
        Assert.That(options.KeepRetiredKeys, Is.EqualTo(TimeSpan.FromSeconds(1830)));
    }

    [Test]
    public void Read_EverythingSet_TakesTheValues()
    {
        var (options, errors) = Read(("access_token_ttl", "15m"), ("refresh_token_ttl", "1d"), ("refresh_reuse_grace", "5s"),
            ("clock_skew", "10s"), ("key_rotation", "7d"), ("issuer", "https://lead:8700"), ("audience", "mesh-a"));

        Assert.That(errors, Is.Empty);
        Assert.That(options, Is.EqualTo(new AuthOptions(TimeSpan.FromMinutes(15), TimeSpan.FromDays(1), TimeSpan.FromSeconds(5),
            TimeSpan.FromSeconds(10), TimeSpan.FromDays(7), "https://lead:8700", "mesh-a")));
    }

    [TestCase("access_token_ttl", "soon", "access_token_ttl")]
    [TestCase("access_token_ttl", "1s", "access_token_ttl")]
    [TestCase("refresh_token_ttl", "20m", "refresh_token_ttl")]
    [TestCase("refresh_reuse_grace", "5m", "refresh_reuse_grace")]
    [TestCase("clock_skew", "1h", "clock_skew")]
    [TestCase("key_rotation", "10m", "key_rotation")]
    public void Read_BadValue_ErrorNamesTheKey(string key, string value, string expectedKey)
    {
        var (_, errors) = Read((key, value));

        Assert.That(errors.Select(e => e.Key), Is.EqualTo(new[] { $"modules.auth.{expectedKey}" }));
    }

    private static (AuthOptions Options, IReadOnlyList<ConfigIssue> Errors) Read(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create($"modules:auth:{v.Key}", (string?)v.Value)))
            .Build();
        var report = new ConfigReport(configuration, null, new Dictionary<string, int>());
        return (AuthModule.Read(report.Section("modules:auth")), report.Errors);
    }
}
