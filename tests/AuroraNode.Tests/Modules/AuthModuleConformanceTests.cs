using AuroraNode.Modules.Auth;

namespace AuroraNode.Tests.Modules;

public sealed class AuthModuleConformanceTests : ModuleConformance<AuthModule>
{
    protected override (string Yaml, string Key) BadOption => ("modules:\n  auth:\n    login_max_failures: 0\n", "modules.auth.login_max_failures");
}
