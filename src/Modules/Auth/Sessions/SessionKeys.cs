namespace AuroraNode.Modules.Auth.Sessions;

/// <summary>Where sessions live in Redis.</summary>
internal static class SessionKeys
{
    /// <summary>The session's hash (node, client address, user agent, created, last_seen); it exists while the session lives.</summary>
    public static string Session(string user, string sid) => $"aurora:session:{user}:{sid}";

    /// <summary>The session's refresh family (<see cref="Refresh.RefreshFamily"/> as JSON).</summary>
    public static string Family(string sid) => $"aurora:refresh:{sid}";

    /// <summary>The ids of a user's sessions, so they can be listed and ended together.</summary>
    public static string UserSessions(string user) => $"aurora:sessions:{user}";
}
