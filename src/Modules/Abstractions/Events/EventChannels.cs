namespace AuroraNode.Modules.Events;

/// <summary>The mesh's channels, named as in the seed design.</summary>
public static class EventChannels
{
    /// <summary>Every node.</summary>
    public const string Global = "aurora:events:global";

    /// <summary>Cache invalidation (ephemeral).</summary>
    public const string CacheInvalidate = "aurora:cache:invalidate";

    /// <summary>Login, logout and revocation of user sessions.</summary>
    public const string UserSession = "aurora:user:session";

    /// <summary>AI work handed between nodes (durable).</summary>
    public const string AiTask = "aurora:ai:task";

    /// <summary>Alerts raised by any node (durable).</summary>
    public const string SystemAlert = "aurora:system:alert";

    /// <summary>The channels whose events must not be lost: a node that was away receives them when it returns.</summary>
    public static readonly IReadOnlySet<string> DurableByDefault = new HashSet<string> { AiTask, SystemAlert };

    /// <summary>The nodes with <paramref name="role"/>.</summary>
    public static string Role(NodeRole role) => $"aurora:events:role:{role.ToConfigName()}";

    /// <summary>One node.</summary>
    public static string Node(string name) => $"aurora:events:node:{name}";

    /// <summary>True for a channel name the mesh uses (<c>aurora:</c> followed by letters, digits, <c>:_-.</c>).</summary>
    public static bool IsValid(string channel) =>
        channel.StartsWith("aurora:", StringComparison.Ordinal) && channel.Length <= 200
        && channel.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '-' or '.');
}
