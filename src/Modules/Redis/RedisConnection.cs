using System.Net;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Redis.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Redis;

/// <summary>
/// The node's one shared Redis connection. It never gives up: while Redis is away the multiplexer keeps
/// reconnecting and the health check reports the module degraded.
/// </summary>
internal sealed partial class RedisConnection(RedisOptions options, INodeCredentials credentials, NodeContext node, ILogger<RedisConnection> logger, TimeProvider time)
    : IRedis, IHostedService, IAsyncDisposable
{
    private ConnectionMultiplexer? _connection;

    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("Redis is used before the node has started");

    public string Target { get; private set; } = "";

    public RedisAddress AddressForOtherNodes { get; private set; } = new("", null);

    public async Task StartAsync(CancellationToken ct)
    {
        var config = options.Managed
            ? new ConfigurationOptions { EndPoints = { { "127.0.0.1", options.Port } }, Password = credentials.GetOrCreate(RedisServer.PasswordKey) }
            : (options.Url ?? JoinedUrl()).Clone();
        if (!options.Managed && config.Password is null && credentials.Get(RedisServer.PasswordKey) is { } joined)
        {
            config.Password = joined;
        }

        AddressForOtherNodes = options.Managed
            ? new RedisAddress($"{node.AdvertiseAddress}:{options.Port}", config.Password)
            : new RedisAddress(config.EndPoints[0] is DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : config.EndPoints[0].ToString()!, config.Password);

        config.AbortOnConnectFail = false;
        config.ClientName = "aurora-node";
        config.ConnectTimeout = 2000;
        Target = string.Join(",", config.EndPoints);
        _connection = await ConnectionMultiplexer.ConnectAsync(config);
        _connection.ConnectionFailed += (_, e) => LogConnectionLost(Target, e.FailureType.ToString());
        _connection.ConnectionRestored += (_, _) => LogConnectionRestored(Target);

        // The node's own server is up by now; wait for it so the node is ready when start-up ends.
        if (options.Managed)
        {
            var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
            while (!await PingsAsync() && time.GetUtcNow() < deadline)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    // A node that joined the mesh (mesh.lead_url) received the address when it joined, before the host started.
    private ConfigurationOptions JoinedUrl() =>
        credentials.Get(CredentialKeys.RedisUrl) is { } url && RedisUrl.TryParse(url, out var parsed, out _)
            ? parsed
            : throw new StartupException("mesh.lead_url", $"{CredentialKeys.RedisUrl} is missing from the credentials file: the node has not joined the mesh; set mesh.join_token");

    public Task StopAsync(CancellationToken ct) => _connection?.CloseAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    public async Task<bool> PingsAsync()
    {
        try
        {
            return _connection is not null && await _connection.GetDatabase().PingAsync() < TimeSpan.FromSeconds(5);
        }
        catch (RedisException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection to Redis at {Target} ({Failure}); reconnecting")]
    private partial void LogConnectionLost(string target, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnected to Redis at {Target}")]
    private partial void LogConnectionRestored(string target);
}
