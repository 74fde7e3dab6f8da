using System.Text.Json;

namespace AuroraNode.Modules.Registry.Api;

/// <summary>The seed's body of <c>POST /nodes/register</c>.</summary>
internal sealed record RegisterRequest(string? Name, string? Role, string? VpnIp, string? PublicIp, JsonElement? Capabilities, JsonElement? Metadata);
