using StackExchange.Redis;

namespace AuroraNode.Modules.Redis;

/// <summary>The <c>redis</c> section of the config file.</summary>
/// <param name="Managed">The node runs its own redis-server under <c>data_dir/redis</c> (default on lead and backup; a backup's is a replica).</param>
/// <param name="Port">The managed server's port.</param>
/// <param name="ServerPath">The redis-server executable (resolved when the config left it empty).</param>
/// <param name="Url">Another node's Redis, when not managed (parsed from <c>redis.url</c>).</param>
/// <param name="StopTimeout">How long a clean stop (with a final save) may take before the server is killed.</param>
/// <param name="Sentinel">The node runs a Redis Sentinel (default on lead and backup; one more node should, for a quorum of three).</param>
/// <param name="SentinelPort">The managed Sentinel's port.</param>
/// <param name="DownAfter">How long the master may be silent before the Sentinels fail over to a replica.</param>
internal sealed record RedisOptions(bool Managed, int Port, string ServerPath, ConfigurationOptions? Url, TimeSpan StopTimeout, bool Sentinel, int SentinelPort, TimeSpan DownAfter)
{
    public const int DefaultPort = 6380;
    public const int DefaultSentinelPort = 26380;

    /// <summary>The Sentinels' name for the mesh's Redis.</summary>
    public const string ServiceName = "aurora";
}
