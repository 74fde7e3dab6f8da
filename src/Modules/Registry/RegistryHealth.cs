using AuroraNode.Modules.Health;
using AuroraNode.Modules.Registry.Nodes;

namespace AuroraNode.Modules.Registry;

/// <summary>Running while the registry in Redis is reachable; degraded while this node serves its last copy.</summary>
internal sealed class RegistryHealth(NodeStore store) : IModuleHealth
{
    public string Module => "registry";

    public async Task<ModuleHealthReport> CheckAsync(CancellationToken ct)
    {
        var snapshot = await store.ReadAsync();
        var data = new Dictionary<string, object?> { ["nodes"] = snapshot.Nodes.Count };
        return snapshot.FromCache
            ? new ModuleHealthReport(ModuleState.Degraded, $"Redis unreachable; serving the last copy of {snapshot.Nodes.Count} nodes", data)
            : new ModuleHealthReport(ModuleState.Running, $"{snapshot.Nodes.Count} nodes known", data);
    }
}
