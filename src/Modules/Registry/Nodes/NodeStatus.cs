namespace AuroraNode.Modules.Registry.Nodes;

/// <summary>The seed's status rules: active, warning, offline by silence; left and sleeping when the node said so.</summary>
internal static class NodeStatus
{
    public const string Active = "active";
    public const string Warning = "warning";
    public const string Offline = "offline";
    public const string Left = "left";
    public const string Sleeping = "sleeping";

    public static string Of(string? state, DateTimeOffset? lastSeen, DateTimeOffset now, RegistryOptions options)
    {
        if (state is Left or Sleeping)
        {
            return state;
        }

        if (lastSeen is not { } seen)
        {
            return Offline;
        }

        var silent = now - seen;
        return silent < options.WarningAfter ? Active : silent < options.OfflineAfter ? Warning : Offline;
    }
}
