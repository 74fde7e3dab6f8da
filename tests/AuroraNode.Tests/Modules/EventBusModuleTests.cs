using AuroraNode.Modules.EventBus;

namespace AuroraNode.Tests.Modules;

public sealed class EventBusModuleTests : ModuleConformance<EventBusModule>
{
    protected override (string Yaml, string Key) BadOption => ("modules:\n  eventbus:\n    durable_channels: [not-a-channel]\n", "modules.eventbus.durable_channels");
}
