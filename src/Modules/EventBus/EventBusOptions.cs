namespace AuroraNode.Modules.EventBus;

/// <summary>The <c>modules.eventbus</c> section.</summary>
/// <param name="DurableChannels">Channels delivered through Redis Streams (besides <c>aurora:ai:task</c> and <c>aurora:system:alert</c>).</param>
/// <param name="StreamMaxLength">Events kept per durable stream (approximate trim); older ones are gone for a node away that long.</param>
/// <param name="OutboxCapacity">Events kept while Redis is unreachable, sent on reconnect.</param>
/// <param name="StreamPollInterval">How often durable streams are read when no wake-up arrives.</param>
internal sealed record EventBusOptions(IReadOnlyList<string> DurableChannels, int StreamMaxLength, int OutboxCapacity, TimeSpan StreamPollInterval);
