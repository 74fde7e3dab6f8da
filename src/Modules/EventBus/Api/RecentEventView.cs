using System.Text.Json.Serialization;
using AuroraNode.Modules.Events;

namespace AuroraNode.Modules.EventBus.Api;

/// <summary>One entry of <c>GET /api/v1/events/recent</c>: the channel, when this node saw it, and the envelope.</summary>
internal sealed record RecentEventView(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("seen_at")] DateTimeOffset SeenAt,
    [property: JsonPropertyName("event")] EventEnvelope Event);
