using AuroraNode.Modules.Registry;

namespace AuroraNode.Tests.Modules;

public sealed class RegistryModuleTests : ModuleConformance<RegistryModule>
{
    protected override (string Yaml, string Key) BadOption => ("modules:\n  registry:\n    warning_after: 5m\n    offline_after: 1m\n", "modules.registry.offline_after");
}
