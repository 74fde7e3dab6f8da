using AuroraNode.Modules.EventBus.Transport;
using AuroraNode.Modules.Health;

namespace AuroraNode.Modules.EventBus;

/// <summary>Running while Redis carries events; degraded (events queue up) while it is away.</summary>
internal sealed class EventBusHealth(RedisTransport transport) : IModuleHealth
{
    public string Module => "eventbus";

    public Task<ModuleHealthReport> CheckAsync(CancellationToken ct)
    {
        var data = new Dictionary<string, object?> { ["channels"] = transport.ListeningTo.Order().ToList(), ["queued"] = transport.Queued };
        return Task.FromResult(transport.IsConnected
            ? new ModuleHealthReport(ModuleState.Running, $"carrying events on {transport.ListeningTo.Count} channels", data)
            : new ModuleHealthReport(ModuleState.Degraded, $"Redis unreachable; {transport.Queued} events queued until it is back", data));
    }
}
