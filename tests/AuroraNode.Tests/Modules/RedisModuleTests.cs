using AuroraNode.Modules.Redis;

namespace AuroraNode.Tests.Modules;

public sealed class RedisModuleTests : ModuleConformance<RedisModule>
{
    protected override (string Yaml, string Key) BadOption => ("redis:\n  stop_timeout: forever\n", "redis.stop_timeout");
}
