using System.Text.Json;
using System.Text.Json.Serialization;

namespace AuroraNode.Modules.Events;

/// <summary>
/// An event as it crosses the mesh, in the seed design's shape: <c>{id, type, source_node, timestamp, data}</c>.
/// Any Redis client can publish one as JSON on a channel.
/// </summary>
/// <param name="Id">Unique id (a GUID unless the publisher chose one).</param>
/// <param name="Type">What happened, e.g. <c>node_heartbeat</c>.</param>
/// <param name="SourceNode">The node (or tool) that published it.</param>
/// <param name="Timestamp">When it was published.</param>
/// <param name="Data">The event's payload.</param>
public sealed record EventEnvelope(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("source_node")] string SourceNode,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("data")] JsonElement Data)
{
    /// <summary>The JSON options events are written with (snake_case payloads).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Wraps <paramref name="data"/> in a new envelope.</summary>
    public static EventEnvelope Create<T>(string type, string sourceNode, DateTimeOffset timestamp, T data) =>
        new(Guid.NewGuid().ToString("N"), type, sourceNode, timestamp, JsonSerializer.SerializeToElement(data, Json));

    /// <summary>The payload as <typeparamref name="T"/>.</summary>
    public T? DataAs<T>() => Data.Deserialize<T>(Json);
}
