using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.EventBus.Api;
using AuroraNode.Modules.EventBus.Bus;
using AuroraNode.Modules.EventBus.Transport;
using AuroraNode.Modules.Events;
using AuroraNode.Modules.Health;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules.EventBus;

/// <summary>The event bus: in-process publish/subscribe, and Redis (Pub/Sub, Streams for durable channels) between nodes.</summary>
public sealed class EventBusModule : IAuroraModule
{
    public string Name => "eventbus";

    public IReadOnlySet<NodeRole> Roles => NodeRoles.All;

    public IReadOnlyList<string> Requires => ["redis"];

    public void ConfigureServices(IServiceCollection services, ConfigReader config, NodeContext node)
    {
        var durable = config.List("durable_channels");
        foreach (var channel in durable.Where(c => !EventChannels.IsValid(c)))
        {
            config.Error("durable_channels", $"'{channel}' is not a channel name: use aurora: followed by letters, digits and : _ - .");
        }

        services.AddSingleton(new EventBusOptions(
            durable,
            config.Int("stream_max_length", 10_000, 100, 10_000_000),
            config.Int("outbox_capacity", 10_000, 10, 1_000_000),
            config.Duration("stream_poll_interval", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10))));
        services.AddSingleton<RecentEvents>();
        services.AddSingleton<LocalSubscribers>();
        services.AddSingleton<RedisTransport>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisTransport>());
        services.AddSingleton<Bus.EventBus>();
        services.AddSingleton<IEventBus>(sp => sp.GetRequiredService<Bus.EventBus>());
        services.AddSingleton<IModuleHealth, EventBusHealth>();
    }

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapEventsApi();
}
