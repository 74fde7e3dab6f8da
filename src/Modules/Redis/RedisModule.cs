using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Redis.Rotation;
using AuroraNode.Modules.Health;
using AuroraNode.Modules.Redis.Server;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace AuroraNode.Modules.Redis;

/// <summary>The mesh's Redis: the lead and backup run and supervise their own redis-server; every node holds one shared connection.</summary>
public sealed class RedisModule : IAuroraModule
{
    public string Name => "redis";

    public IReadOnlySet<NodeRole> Roles => NodeRoles.All;

    public string ConfigSection => "redis";

    public void ConfigureServices(IServiceCollection services, ConfigReader config, NodeContext node)
    {
        var options = ReadOptions(config, node);
        services.AddSingleton(options);
        services.AddSingleton<RedisTopology>();
        if (options.Managed)
        {
            services.AddSingleton<RedisServer>();
            services.AddHostedService(sp => sp.GetRequiredService<RedisServer>());
        }

        if (options.Sentinel)
        {
            services.AddSingleton<SentinelRegistration>();
            services.AddSingleton<SentinelServer>();
            services.AddHostedService(sp => sp.GetRequiredService<SentinelServer>());
        }

        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IRedis>(sp => sp.GetRequiredService<RedisConnection>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisConnection>());
        services.AddSingleton<IModuleHealth, RedisHealth>();
        services.AddSingleton<IMeshSecretHolder, RedisSecretRotation>();
    }

    private static RedisOptions ReadOptions(ConfigReader config, NodeContext node)
    {
        var url = config.String("url");
        // The lead runs the mesh's Redis; a backup runs a replica of it, which the Sentinels promote when the lead is lost.
        var managed = config.Bool("managed", url is null && node.HasAnyRole(NodeRoles.Core));
        var sentinel = config.Bool("sentinel", url is null && node.HasAnyRole(NodeRoles.Core));
        var sentinelPort = config.Port("sentinel_port", RedisOptions.DefaultSentinelPort);
        var downAfter = config.Duration("sentinel_down_after", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500));
        var port = config.Port("port", RedisOptions.DefaultPort);
        var serverPath = config.String("server_path");
        var stopTimeout = config.Duration("stop_timeout", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        ConfigurationOptions? parsed = null;
        if (managed && url is not null)
        {
            config.Error("url", "set either redis.managed: true (this node runs Redis) or redis.url (it uses another node's), not both");
        }
        else if (!managed && url is null && node.LeadUrl is null)
        {
            config.Error("url", "required when redis.managed is false (the default on compute and edge nodes) and the node does not join through mesh.lead_url: the mesh's Redis, like redis://:password@10.0.0.1:6380");
        }
        else if (url is not null)
        {
            if (RedisUrl.TryParse(url, out var options, out var error))
            {
                parsed = options;
            }
            else
            {
                config.Error("url", error);
            }
        }

        if (managed || sentinel)
        {
            serverPath ??= RedisBinary.Find();
            if (serverPath is null || !File.Exists(serverPath))
            {
                config.Error("server_path", serverPath is null
                    ? "redis-server not found on PATH; install it (Debian/Ubuntu: apt-get install redis-server) or set redis.server_path"
                    : $"{serverPath} does not exist; install redis-server or fix redis.server_path");
            }
        }

        if (sentinel && sentinelPort == port)
        {
            config.Error("sentinel_port", $"must differ from redis.port ({port})");
        }

        return new RedisOptions(managed, port, serverPath ?? "", parsed, stopTimeout, sentinel, sentinelPort, downAfter);
    }
}
