using AuroraNode.Modules;
using AuroraNode.Modules.EventBus;
using AuroraNode.Modules.Postgres;
using AuroraNode.Modules.Redis;
using AuroraNode.Modules.Registry;

namespace AuroraNode.Hosting;

/// <summary>Every module the node knows, in start order (listed in code: single-file publish has no assemblies to scan).</summary>
internal static class ModuleCatalog
{
    public static IReadOnlyList<IAuroraModule> All { get; } =
    [
        new PostgresModule(),
        new RedisModule(),
        new EventBusModule(),
        new RegistryModule(),
    ];
}
