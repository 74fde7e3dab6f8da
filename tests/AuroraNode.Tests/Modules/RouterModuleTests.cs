using AuroraNode.Modules.Router;

namespace AuroraNode.Tests.Modules;

public sealed class RouterModuleTests : ModuleConformance<RouterModule>
{
    protected override (string Yaml, string Key) BadOption => ("modules:\n  router:\n    parallel: 0\n", "modules.router.parallel");
}
