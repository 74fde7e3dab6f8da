namespace AuroraNode.Modules.Auth.Sessions;

/// <summary>What the auth module publishes on <c>aurora:user:session</c>.</summary>
internal static class SessionEvents
{
    /// <summary>One session ended: <c>{user, sid}</c>.</summary>
    public const string SessionRevoked = "session_revoked";

    /// <summary>Every session of a user ended: <c>{user}</c>.</summary>
    public const string UserSessionsRevoked = "user_sessions_revoked";
}

/// <summary>The payload of the session events; <see cref="Sid"/> is null for <see cref="SessionEvents.UserSessionsRevoked"/>.</summary>
internal sealed record SessionRevocation(string User, string? Sid);
