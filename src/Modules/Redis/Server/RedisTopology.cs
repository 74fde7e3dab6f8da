using AuroraNode.Modules.Credentials;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// Where the mesh's Redis master is, as this node's servers need to know before they start: what the known Sentinels
/// say (most of those that answer), else the Redis this node was given when it joined, else its own server. A lead
/// that comes back after the Sentinels failed over therefore starts its Redis as a replica of the new master.
/// </summary>
internal sealed partial class RedisTopology(RedisOptions options, NodeContext node, INodeCredentials credentials, ILogger<RedisTopology> logger)
{
    private string? _master;

    /// <summary>How other nodes reach this node's own redis-server.</summary>
    public string OwnEndpoint => $"{node.AdvertiseAddress}:{options.Port}";

    /// <summary>How other nodes reach this node's own Sentinel.</summary>
    public string OwnSentinel => $"{node.AdvertiseAddress}:{options.SentinelPort}";

    public string Password => credentials.GetOrCreate(CredentialKeys.RedisPassword);

    /// <summary>Every Sentinel this node knows of: its own first, then those received or learned since.</summary>
    public IReadOnlyList<string> KnownSentinels()
    {
        var known = (credentials.Get(CredentialKeys.RedisSentinels) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (options.Sentinel ? [OwnSentinel, .. known] : known).Distinct().ToList();
    }

    /// <summary>Remembers Sentinels learned from the mesh for the next start.</summary>
    public void Remember(IEnumerable<string> sentinels)
    {
        var all = KnownSentinels().Concat(sentinels).Where(s => s != OwnSentinel || !options.Sentinel).Distinct().Order().ToList();
        var joined = string.Join(',', all);
        if (all.Count > 0 && joined != credentials.Get(CredentialKeys.RedisSentinels))
        {
            credentials.Set(CredentialKeys.RedisSentinels, joined);
        }
    }

    /// <summary>Forgets Sentinels removed from the mesh (their nodes were revoked): not asked, not counted, not given to joiners.</summary>
    public void Forget(IReadOnlyCollection<string> sentinels)
    {
        var known = (credentials.Get(CredentialKeys.RedisSentinels) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var kept = known.Except(sentinels).ToList();
        if (kept.Count != known.Length)
        {
            credentials.Set(CredentialKeys.RedisSentinels, string.Join(',', kept));
        }
    }

    /// <summary>host:port of the master, looked up once per start.</summary>
    public async Task<string> MasterAsync(CancellationToken ct)
    {
        if (_master is not null)
        {
            return _master;
        }

        var fromSentinels = await AskSentinelsAsync(ct);
        _master = fromSentinels ?? JoinedMaster() ?? OwnEndpoint;
        LogMaster(_master, fromSentinels is not null ? "the Sentinels" : JoinedMaster() is not null ? "the credentials received when joining" : "this node's own server");
        return _master;
    }

    /// <summary>True when <paramref name="endpoint"/> is this node's own redis-server.</summary>
    public bool IsOwn(string endpoint) => endpoint == OwnEndpoint || endpoint == $"127.0.0.1:{options.Port}";

    private string? JoinedMaster() =>
        credentials.Get(CredentialKeys.RedisUrl) is { } url && RedisUrl.TryParse(url, out var parsed, out _) ? Endpoint(parsed.EndPoints[0]) : null;

    private async Task<string?> AskSentinelsAsync(CancellationToken ct)
    {
        var others = KnownSentinels().Where(s => !options.Sentinel || s != OwnSentinel).ToList();
        if (others.Count == 0)
        {
            return null;
        }

        var config = new ConfigurationOptions { ServiceName = RedisOptions.ServiceName, Password = Password, AbortOnConnectFail = false, ConnectTimeout = 1500 };
        foreach (var s in others)
        {
            config.EndPoints.Add(s);
        }

        try
        {
            await using var sentinels = await ConnectionMultiplexer.SentinelConnectAsync(config);
            var answers = await Task.WhenAll(sentinels.GetEndPoints().Select(async ep =>
            {
                try
                {
                    return await sentinels.GetServer(ep).SentinelGetMasterAddressByNameAsync(RedisOptions.ServiceName).WaitAsync(TimeSpan.FromSeconds(2), ct) is { } master ? Endpoint(master) : null;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    return null;
                }
            }));

            // The answer most of them give: a Sentinel that was away may still name an old master.
            return answers.OfType<string>().GroupBy(a => a).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        }
        catch (RedisException ex)
        {
            LogNoSentinel(ex.Message);
            return null;
        }
    }

    private static string Endpoint(System.Net.EndPoint ep) => ep switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        System.Net.IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => ep.ToString()!,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "The mesh's Redis master is {Master} (from {Source})")]
    private partial void LogMaster(string master, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Redis Sentinel answered ({Reason}); using what this node knew")]
    private partial void LogNoSentinel(string reason);
}
