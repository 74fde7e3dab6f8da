namespace AuroraNode.Modules.Registry.Api;

/// <summary>The body of <c>POST /api/v1/join-tokens</c>; every field is optional.</summary>
/// <param name="Ttl">How long the token is valid, written like the config's durations (default 1h).</param>
/// <param name="Role">The role a node must have to use it (default: any but lead).</param>
/// <param name="Uses">How many nodes may join with it (default 1).</param>
internal sealed record CreateJoinTokenRequest(string? Ttl, string? Role, int? Uses);

/// <summary>The body of <c>POST /api/v1/join</c>: a node presenting its token, and the public half of its own key.</summary>
internal sealed record JoinRequest(string? Token, string? Name, IReadOnlyList<string>? Roles, string? AdvertiseAddress, string? PublicKey);
