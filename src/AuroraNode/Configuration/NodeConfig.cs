using AuroraNode.Hosting;
using AuroraNode.Modules;
using AuroraNode.Modules.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Configuration;

/// <summary>
/// A validated configuration: the file with environment overrides, the host's settings and which modules
/// load. Validation and service registration are one pass, so <c>config check</c> finds exactly what
/// <c>run</c> would refuse.
/// </summary>
internal sealed record NodeConfig(ConfigReport Report, NodeSettings Settings, IReadOnlyList<ModulePlan> Modules)
{
    public bool IsValid => Report.Errors.Count == 0;

    /// <summary>Loads the config and registers the loaded modules' services into <paramref name="services"/>.</summary>
    /// <returns>Null with <paramref name="error"/> set when the file can't be read at all.</returns>
    public static NodeConfig? Load(string? explicitPath, IServiceCollection services, IReadOnlyList<IAuroraModule> catalog, out string? error)
    {
        var path = ConfigLocator.Locate(explicitPath, out error);
        if (error is not null)
        {
            return null;
        }

        var file = new YamlConfigFile.Content(new(), new());
        if (path is not null && YamlConfigFile.Read(path, out error) is { } read)
        {
            file = read;
        }
        else if (error is not null)
        {
            return null;
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(file.Values)
            .AddEnvironmentVariables("AURORA__")
            .Build();
        var report = new ConfigReport(configuration, path, file.Lines);
        var settings = NodeSettingsReader.Read(report);
        var plans = new List<ModulePlan>();
        foreach (var module in catalog)
        {
            var enabled = report.Section($"modules:{module.Name}").Bool("enabled", true);
            var plan = ModulePlan.For(module, enabled, settings.Node);
            plans.Add(plan);
            var section = report.Section(module.ConfigSection);
            if (plan.Loaded)
            {
                module.ConfigureServices(services, section, settings.Node);
            }
            else
            {
                // Settings for a module this node doesn't load are kept for when it does, and aren't "unknown".
                section.KnownSection();
            }
        }

        foreach (var plan in plans.Where(p => p.Loaded))
        {
            foreach (var needed in plan.Module.Requires.Where(r => !plans.Any(p => p.Loaded && p.Name == r)))
            {
                report.Section($"modules:{needed}").Error("enabled", $"the {plan.Name} module needs the {needed} module on this node; enable {needed} or disable {plan.Name} too");
            }
        }

        report.WarnAboutUnreadKeys();
        return new NodeConfig(report, settings, plans);
    }
}
