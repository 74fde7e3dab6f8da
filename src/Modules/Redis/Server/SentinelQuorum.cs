namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// Sentinels fail over only with a majority of them agreeing. So while the Sentinels that did not confirm this node's
/// master (unreachable, or naming another) are too few to be a majority, no other master can have been promoted.
/// </summary>
internal static class SentinelQuorum
{
    /// <summary>How many Sentinels must agree that the master is down before one fails it over (<c>sentinel monitor … 2</c>).</summary>
    public const int Quorum = 2;

    public static bool CouldBeOverruled(int known, int confirming) => known - confirming >= known / 2 + 1;
}
