using StackExchange.Redis;

namespace AuroraNode.Modules.Redis;

/// <summary>The <c>redis</c> section of the config file.</summary>
/// <param name="Managed">The node runs its own redis-server under <c>data_dir/redis</c> (default on lead and backup).</param>
/// <param name="Port">The managed server's port.</param>
/// <param name="ServerPath">The redis-server executable (resolved when the config left it empty).</param>
/// <param name="Url">Another node's Redis, when not managed (parsed from <c>redis.url</c>).</param>
/// <param name="StopTimeout">How long a clean stop (with a final save) may take before the server is killed.</param>
internal sealed record RedisOptions(bool Managed, int Port, string ServerPath, ConfigurationOptions? Url, TimeSpan StopTimeout)
{
    public const int DefaultPort = 6380;
}
