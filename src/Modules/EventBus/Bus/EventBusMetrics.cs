using System.Diagnostics.Metrics;

namespace AuroraNode.Modules.EventBus.Bus;

/// <summary>The bus's metrics (exported on /metrics as aurora_events_*).</summary>
internal static class EventBusMetrics
{
    private static readonly Meter Meter = new("aurora");

    public static readonly Counter<long> Published = Meter.CreateCounter<long>("events_published", description: "Events published by this node, per channel.");

    public static readonly Counter<long> Delivered = Meter.CreateCounter<long>("events_delivered", description: "Events from other nodes delivered to this node's subscribers, per channel.");

    public static readonly Counter<long> Failed = Meter.CreateCounter<long>("events_failed", description: "Events that could not be published, parsed or handled, per channel.");

    public static readonly Counter<long> Lost = Meter.CreateCounter<long>("events_lost", description: "Durable events trimmed from their stream before this node read them, per channel.");

    public static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("event_delivery_latency", unit: "s", description: "From the envelope's timestamp to delivery on this node.");

    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("eventbus_reconnects", description: "Times the connection to Redis came back.");

    public static KeyValuePair<string, object?> Channel(string channel) => new("channel", channel);
}
