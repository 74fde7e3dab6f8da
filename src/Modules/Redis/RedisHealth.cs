using AuroraNode.Modules.Health;
using AuroraNode.Modules.Redis.Server;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules.Redis;

/// <summary>Running when the master answers PING (a replica that still answers reads does not count: writes would fail).</summary>
internal sealed class RedisHealth(RedisConnection connection, RedisOptions options, IServiceProvider services) : IModuleHealth
{
    public string Module => "redis";

    public async Task<ModuleHealthReport> CheckAsync(CancellationToken ct)
    {
        var server = services.GetService<RedisServer>();
        var data = new Dictionary<string, object?> { ["managed"] = options.Managed, ["target"] = connection.Target };
        if (server is not null)
        {
            data["pid"] = server.Pid;
            data["restarts"] = server.Restarts;
            if (server.State != ModuleState.Running)
            {
                return new ModuleHealthReport(server.State, $"redis-server {server.StateDetail}", data);
            }
        }

        if (services.GetService<SentinelServer>() is { } sentinel)
        {
            data["sentinel_pid"] = sentinel.Pid;
            if (sentinel.State != ModuleState.Running)
            {
                return new ModuleHealthReport(ModuleState.Degraded, $"redis-sentinel {sentinel.StateDetail}", data);
            }
        }

        return await connection.PingsAsync()
            ? new ModuleHealthReport(ModuleState.Running, $"Redis answering at {connection.Target}", data)
            : new ModuleHealthReport(ModuleState.Degraded, $"Redis at {connection.Target} is not answering; reconnecting", data);
    }
}
