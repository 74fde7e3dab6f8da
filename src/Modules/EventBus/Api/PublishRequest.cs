using System.Text.Json;

namespace AuroraNode.Modules.EventBus.Api;

/// <summary>The body of <c>POST /api/v1/events/{channel}</c>: an event type and its payload (an optional id).</summary>
internal sealed record PublishRequest(string? Type, JsonElement? Data, string? Id);
