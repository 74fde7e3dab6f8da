using AuroraNode.Modules;
using AuroraNode.Modules.Auth;
using AuroraNode.Modules.EventBus;
using AuroraNode.Modules.Postgres;
using AuroraNode.Modules.Redis;
using AuroraNode.Modules.Registry;
using AuroraNode.Modules.Router;

namespace AuroraNode.Hosting;

/// <summary>
/// Every module the node knows, in start order (listed in code: single-file publish has no assemblies to scan).
/// Redis comes before PostgreSQL: a former primary reads the leader lease before its server starts.
/// </summary>
internal static class ModuleCatalog
{
    public static IReadOnlyList<IAuroraModule> All { get; } =
    [
        new RedisModule(),
        new PostgresModule(),
        new EventBusModule(),
        new RegistryModule(),
        new AuthModule(),
        new RouterModule(),
    ];
}
