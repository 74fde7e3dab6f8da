using AuroraNode.Hosting;
using AuroraNode.Modules;
using AuroraNode.Tests.Configuration;
using AuroraNode.Tests.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Tests.Modules;

/// <summary>
/// What every module must honour; each module's test class inherits these and names a bad value of its own.
/// </summary>
public abstract class ModuleConformance<TModule>
    where TModule : IAuroraModule, new()
{
    private TempDirectory _temp = null!;

    protected TModule Module { get; } = new();

    /// <summary>YAML with one bad value for this module, and the dotted key it is under.</summary>
    protected abstract (string Yaml, string Key) BadOption { get; }

    /// <summary>YAML that makes a node of the given role valid: nodes other than lead and backup need the mesh's Redis.</summary>
    protected virtual string ValidFor(NodeRole role) =>
        role is NodeRole.Lead or NodeRole.Backup ? "" : "redis:\n  url: redis://:pw@10.0.0.1:6380\n";

    [SetUp]
    public void SetUpTemp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDownTemp() => _temp.Dispose();

    [Test]
    public void BadOption_FailsValidationNamingTheKey()
    {
        var config = ConfigFixture.Load(_temp, BadOption.Yaml);

        Assert.That(config.Report.Errors.Select(e => e.Key), Does.Contain(BadOption.Key));
    }

    [Test]
    public void BadOption_StopsTheNodeBeforeItStartsAnything()
    {
        var path = _temp.Combine("bad.yaml");
        var dataDir = _temp.Combine("data");
        File.WriteAllText(path, $"node:\n  data_dir: {dataDir}\napi:\n  listen: 127.0.0.1:{FreePort.Next()}\n{BadOption.Yaml}");

        var result = Executable.RunAsync("run", "--config", path).GetAwaiter().GetResult();

        Assert.That(result.ExitCode, Is.EqualTo(78), result.ToString());
        Assert.That(result.Stderr, Does.Contain(BadOption.Key));
        Assert.That(Directory.Exists(dataDir), Is.False, "nothing may be created when the config is bad");
    }

    [Test]
    public void Disabled_RegistersNothing()
    {
        var services = new ServiceCollection();
        var config = ConfigFixture.Load(_temp, $"modules:\n  {Module.Name}:\n    enabled: false\n", services);

        Assert.That(config.Modules.Single(m => m.Name == Module.Name).Loaded, Is.False);
        Assert.That(RegisteredByModule(services), Is.Empty);
    }

    [Test]
    public void RoleAbsent_RegistersNothing()
    {
        var absent = Enum.GetValues<NodeRole>().Where(r => !Module.Roles.Contains(r)).ToList();
        Assume.That(absent, Is.Not.Empty, $"{Module.Name} loads on every role");
        var services = new ServiceCollection();
        var config = ConfigFixture.Load(_temp, $"node:\n  roles: [{absent[0].ToConfigName()}]\n{ValidFor(absent[0])}", services);

        Assert.That(config.Modules.Single(m => m.Name == Module.Name).Loaded, Is.False);
        Assert.That(RegisteredByModule(services), Is.Empty);
    }

    [Test]
    public void EveryRoleItLoadsFor_RegistersItsServices()
    {
        foreach (var role in Module.Roles)
        {
            var services = new ServiceCollection();
            var config = ConfigFixture.Load(_temp, $"node:\n  roles: [{role.ToConfigName()}]\n{ValidFor(role)}", services);

            Assert.That(config.IsValid, Is.True, string.Join("\n", config.Report.Errors));
            Assert.That(RegisteredByModule(services), Is.Not.Empty, $"role {role}");
        }
    }

    [Test]
    public void IsListedInTheCatalog() =>
        Assert.That(ModuleCatalog.All.Select(m => m.GetType()), Does.Contain(typeof(TModule)));

    private static List<ServiceDescriptor> RegisteredByModule(IServiceCollection services)
    {
        var assembly = typeof(TModule).Assembly;
        return services.Where(d => d.ServiceType.Assembly == assembly || d.ImplementationType?.Assembly == assembly
            || (d.ImplementationFactory?.Method.DeclaringType?.Assembly == assembly)).ToList();
    }
}
