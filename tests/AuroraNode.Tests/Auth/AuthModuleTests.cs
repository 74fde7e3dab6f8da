using AuroraNode.Modules;
using AuroraNode.Modules.Auth;
using AuroraNode.Modules.Auth.Passwords;
using AuroraNode.Modules.Auth.Refresh;
using AuroraNode.Modules.Auth.Tokens;
using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Tests.Auth;

public sealed class AuthModuleTests
{
    [Test]
    public void ConfigureServices_RegistersOptionsRulesAndTheSchema()
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        var report = new ConfigReport(new ConfigurationBuilder().Build(), null, new Dictionary<string, int>());

        new AuthModule().ConfigureServices(services, report.Section("modules:auth"), new NodeContext("n1", NodeRoles.All, "/tmp", "127.0.0.1", "test", 8700, null));
        using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(report.Errors, Is.Empty);
            Assert.That(provider.GetRequiredService<AccessTokenSettings>().Lifetime, Is.EqualTo(TimeSpan.FromMinutes(30)));
            Assert.That(provider.GetRequiredService<PasswordHasher>().Parameters, Is.EqualTo(PasswordHashParameters.Owasp));
            Assert.That(provider.GetService<RefreshRotation>(), Is.Not.Null);
            Assert.That(provider.GetServices<SchemaMigrations>().Select(m => m.Schema), Is.EqualTo(new[] { "auth" }));
        });
    }
}
