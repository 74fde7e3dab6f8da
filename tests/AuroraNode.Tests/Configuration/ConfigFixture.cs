using AuroraNode.Configuration;
using AuroraNode.Hosting;
using AuroraNode.Tests.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Tests.Configuration;

/// <summary>Loads a YAML text the way <c>run</c> does, into a throw-away service collection.</summary>
internal static class ConfigFixture
{
    public static NodeConfig Load(TempDirectory temp, string yaml, IServiceCollection? services = null)
    {
        var path = temp.Combine($"cfg-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return NodeConfig.Load(path, services ?? new ServiceCollection(), ModuleCatalog.All, out var error)
            ?? throw new AssertionException($"config did not load: {error}");
    }
}
