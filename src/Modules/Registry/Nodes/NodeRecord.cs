using System.Text.Json;
using System.Text.Json.Serialization;

namespace AuroraNode.Modules.Registry.Nodes;

/// <summary>A node as the registry stores it (Redis hash <c>aurora:registry:nodes</c>, one JSON value per node).</summary>
internal sealed record NodeRecord(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("vpn_ip")] string? VpnIp,
    [property: JsonPropertyName("public_ip")] string? PublicIp,
    [property: JsonPropertyName("capabilities")] JsonElement Capabilities,
    [property: JsonPropertyName("metadata")] JsonElement Metadata,
    [property: JsonPropertyName("registered_at")] DateTimeOffset RegisteredAt,
    [property: JsonPropertyName("state")] string? State);

/// <summary>A node as the API shows it: the record, when it was last heard from, and its status.</summary>
internal sealed record NodeView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("vpn_ip")] string? VpnIp,
    [property: JsonPropertyName("public_ip")] string? PublicIp,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("last_seen")] DateTimeOffset? LastSeen,
    [property: JsonPropertyName("capabilities")] JsonElement Capabilities,
    [property: JsonPropertyName("metadata")] JsonElement Metadata,
    [property: JsonPropertyName("registered_at")] DateTimeOffset RegisteredAt);
