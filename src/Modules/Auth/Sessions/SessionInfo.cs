namespace AuroraNode.Modules.Auth.Sessions;

/// <summary>One login as <c>GET /api/v1/auth/sessions</c> shows it (the hash <c>aurora:session:{user}:{sid}</c>).</summary>
internal sealed record SessionInfo(string Sid, string User, string Node, string ClientAddress, string UserAgent, DateTimeOffset Created, DateTimeOffset LastSeen);
