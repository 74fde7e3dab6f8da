namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// Sentinels fail over only with a majority of them agreeing. So while the Sentinels that did not confirm this node's
/// master (unreachable, or naming another) are too few to be a majority, no other master can have been promoted.
/// </summary>
internal static class SentinelQuorum
{
    public static bool CouldBeOverruled(int known, int confirming) => known - confirming >= known / 2 + 1;
}
