using System.Net;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Redis.Rotation;
using AuroraNode.Modules.Redis.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Redis;

/// <summary>
/// The node's one shared Redis connection. When the mesh runs Sentinels it connects through them and follows the
/// master they name (a failover moves it to the new master by itself); else it connects to the node's own server or
/// the one it was given. It never gives up: while Redis is away the multiplexer keeps reconnecting and the health
/// check reports the module degraded.
/// </summary>
internal sealed partial class RedisConnection(
    RedisOptions options,
    INodeCredentials credentials,
    RedisTopology topology,
    NodeContext node,
    ILogger<RedisConnection> logger,
    TimeProvider time) : IRedis, IHostedService, IAsyncDisposable
{
    public const string SentinelsKey = "aurora:redis:sentinels";
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _sentinelGate = new(1, 1);
    private ConnectionMultiplexer? _connection;
    private ConnectionMultiplexer? _sentinels;
    private Task _refresh = Task.CompletedTask;
    private RedisAddress _address = new("", null, []);
    private bool _passwordFromCredentials;

    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("Redis is used before the node has started");

    public string Target { get; private set; } = "";

    // The password is read anew each time: a rotation replaces it in the credentials file.
    public RedisAddress AddressForOtherNodes
    {
        get => _passwordFromCredentials ? _address with { Password = credentials.Get(CredentialKeys.RedisPassword) } : _address;
        private set => _address = value;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        var sentinels = options.Url is null ? topology.KnownSentinels() : [];
        var config = sentinels.Count > 0
            ? SentinelConfig(sentinels)
            : options.Managed
                ? WithCredentialsPassword(new ConfigurationOptions { EndPoints = { { "127.0.0.1", options.Port } } })
                : (options.Url ?? JoinedUrl()).Clone();
        if (!options.Managed && config.Password is null && credentials.Get(RedisServer.PasswordKey) is not null)
        {
            WithCredentialsPassword(config);
        }

        config.AbortOnConnectFail = false;
        // Named after the node, so that revoking it can close its connections (ClientList).
        config.ClientName = ClientList.NameOf(node.Name);
        config.ConnectTimeout = 2000;
        if (sentinels.Count > 0)
        {
            // A master cut off by the network answers nothing and closes nothing: with the default 5 s per command the
            // client takes many seconds to give it up and follow the Sentinels to the new one.
            (config.SyncTimeout, config.AsyncTimeout, config.KeepAlive) = (2000, 2000, 1);
        }

        // The default backoff grows to ~10 s between tries: a client that failed while the Sentinels were still
        // electing would then miss the new master for that long.
        config.ReconnectRetryPolicy = new LinearRetry(500);

        Target = sentinels.Count > 0 ? $"master of Sentinels {string.Join(",", sentinels)}" : string.Join(",", config.EndPoints);
        _connection = sentinels.Count > 0 ? await ConnectThroughSentinelsAsync(config, ct) : await ConnectionMultiplexer.ConnectAsync(config);
        _connection.ConnectionFailed += (_, e) => LogConnectionLost(Target, e.FailureType.ToString());
        _connection.ConnectionRestored += (_, _) => LogConnectionRestored(Target);
        AddressForOtherNodes = new RedisAddress(
            options.Managed && sentinels.Count == 0 ? topology.OwnEndpoint : MasterEndpoint() ?? EndpointText(config.EndPoints[0]),
            _passwordFromCredentials ? null : config.Password,
            sentinels);

        // The node's own server is up by now; wait for it so the node is ready when start-up ends.
        if (options.Managed || sentinels.Count > 0)
        {
            var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
            var answered = false;
            while (!(answered = await PingsAsync()) && time.GetUtcNow() < deadline)
            {
                await Task.Delay(50, ct);
            }

            // Start-up goes on (the client keeps reconnecting), but the 30 s must not pass in silence.
            if (!answered)
            {
                LogNoPingAtStart(Target);
            }
        }

        if (sentinels.Count > 0)
        {
            // Connected now, so that the first look a primary takes before renewing its lease is a quick one.
            await SentinelsAsync(sentinels);
            _refresh = RefreshAsync(_stopping.Token);
        }
    }

    // Sentinels and the servers share the mesh's password; it comes from the credentials file at every AUTH.
    private ConfigurationOptions SentinelConfig(IReadOnlyList<string> sentinels)
    {
        var config = WithCredentialsPassword(new ConfigurationOptions { ServiceName = RedisOptions.ServiceName, ClientName = ClientList.NameOf(node.Name) });
        foreach (var s in sentinels)
        {
            config.EndPoints.Add(s);
        }

        return config;
    }

    // A Sentinel just started may not answer for its master yet.
    private async Task<ConnectionMultiplexer> ConnectThroughSentinelsAsync(ConfigurationOptions config, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await ConnectionMultiplexer.ConnectAsync(config.Clone());
            }
            catch (RedisConnectionException ex) when (time.GetUtcNow() < deadline)
            {
                LogNoMasterYet(ex.Message);
                await Task.Delay(250, ct);
            }
            catch (RedisConnectionException ex)
            {
                throw new StartupException("redis.sentinel", $"no Redis Sentinel named a reachable master for '{RedisOptions.ServiceName}' within 30 s ({ex.Message}); check that the Sentinels ({string.Join(",", config.EndPoints)}) and the mesh's Redis run");
            }
        }
    }

    // Sentinels that join later are recorded in Redis; each node remembers them for its next start and its joiners.
    // Those of revoked nodes are removed there, and each node forgets them.
    private async Task RefreshAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var db = Connection.GetDatabase();
                var removed = (await db.SetMembersAsync(RedisMember.RemovedSentinelsKey)).Select(v => (string)v!).ToHashSet();
                if (options.Managed || options.Sentinel)
                {
                    await db.HashSetAsync(RedisMember.HashKey, node.Name, new RedisMember(options.Managed ? topology.OwnEndpoint : null, options.Sentinel ? topology.OwnSentinel : null).Value);
                }

                if (options.Sentinel)
                {
                    // A revoked node cannot authenticate any more: one that can is a node that joined again at that address.
                    if (removed.Remove(topology.OwnSentinel))
                    {
                        await db.SetRemoveAsync(RedisMember.RemovedSentinelsKey, topology.OwnSentinel);
                    }

                    await db.SetAddAsync(SentinelsKey, topology.OwnSentinel);
                }

                var known = (await db.SetMembersAsync(SentinelsKey)).Select(v => (string)v!).Where(s => !removed.Contains(s)).ToList();
                topology.Forget(removed);
                topology.Remember(known);
                var sentinels = topology.KnownSentinels().Concat(known).Where(s => !removed.Contains(s)).Distinct().ToList();
                if (!sentinels.Order().SequenceEqual(AddressForOtherNodes.Sentinels.Order()))
                {
                    await ReconnectSentinelsAsync(sentinels);
                }

                AddressForOtherNodes = AddressForOtherNodes with { Endpoint = MasterEndpoint() ?? AddressForOtherNodes.Endpoint, Sentinels = sentinels };
                await Task.Delay(RefreshInterval, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Stops asking and counting <paramref name="sentinel"/> here at once (a revoked node's, already removed from the
    /// mesh's Redis, where the other nodes see it at their next refresh).
    /// </summary>
    public async Task ForgetSentinelAsync(string sentinel)
    {
        topology.Forget([sentinel]);
        var sentinels = AddressForOtherNodes.Sentinels.Where(s => s != sentinel).ToList();
        if (sentinels.Count != AddressForOtherNodes.Sentinels.Count && sentinels.Count > 0)
        {
            await ReconnectSentinelsAsync(sentinels);
            AddressForOtherNodes = AddressForOtherNodes with { Sentinels = sentinels };
        }
    }

    public async Task<bool> MasterIsUndisputedAsync(CancellationToken ct)
    {
        var known = AddressForOtherNodes.Sentinels;
        if (known.Count == 0)
        {
            return true;
        }

        var sentinels = await SentinelsAsync(known);
        var answers = await Task.WhenAll(sentinels.GetEndPoints().Select(async ep =>
        {
            try
            {
                var master = (await sentinels.GetServer(ep).SentinelMasterAsync(RedisOptions.ServiceName).WaitAsync(TimeSpan.FromMilliseconds(500), ct)).ToDictionary();
                return new SentinelView($"{master["ip"]}:{master["port"]}", int.Parse(master["num-other-sentinels"], System.Globalization.CultureInfo.InvariantCulture) + 1);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or KeyNotFoundException or FormatException)
            {
                return null;
            }
        }));

        // Count every Sentinel that could vote: those this node knows, those registered in the mesh's Redis since its
        // last refresh (a node registers its Sentinel there), and as many as any answering Sentinel has heard of.
        var total = new[] { known.Concat(await RegisteredSentinelsAsync(ct)).Distinct().Count(), answers.Length }
            .Concat(answers.OfType<SentinelView>().Select(a => a.Sentinels)).Max();
        var named = answers.OfType<SentinelView>().GroupBy(a => a.Master).OrderByDescending(g => g.Count()).FirstOrDefault();
        if (named is null || SentinelQuorum.CouldBeOverruled(total, named.Count()))
        {
            return false;
        }

        // Right after a failover the client may still take the new master for a replica: connected to it is enough then.
        return MasterEndpoint() is { } current ? current == named.Key : IsConnectedTo(named.Key);
    }

    private async Task<IEnumerable<string>> RegisteredSentinelsAsync(CancellationToken ct)
    {
        try
        {
            return (await Connection.GetDatabase().SetMembersAsync(SentinelsKey).WaitAsync(TimeSpan.FromMilliseconds(500), ct)).Select(v => (string)v!);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return [];
        }
    }

    // One Sentinel's answer: the master it names and how many Sentinels (itself included) it knows of.
    private sealed record SentinelView(string Master, int Sentinels);

    private bool IsConnectedTo(string endpoint) =>
        _connection?.GetEndPoints().Any(ep => EndpointText(ep) == endpoint && _connection.GetServer(ep).IsConnected) == true;

    // One connection to every Sentinel, kept; it learns Sentinels that join later by itself.
    private async Task<ConnectionMultiplexer> SentinelsAsync(IReadOnlyList<string> known)
    {
        await _sentinelGate.WaitAsync();
        try
        {
            if (_sentinels is null)
            {
                var config = SentinelConfig(known);
                (config.AbortOnConnectFail, config.ConnectTimeout) = (false, 1000);
                _sentinels = await ConnectionMultiplexer.SentinelConnectAsync(config);
            }

            return _sentinels;
        }
        finally
        {
            _sentinelGate.Release();
        }
    }

    // The dispute check must ask every Sentinel the mesh has, including those that joined after this node started.
    // The new connection is made before it replaces the old one, which keeps answering meanwhile: a check on a
    // connection still connecting would find most Sentinels silent and stop a healthy primary's lease renewals.
    private async Task ReconnectSentinelsAsync(IReadOnlyList<string> sentinels)
    {
        var config = SentinelConfig(sentinels);
        (config.AbortOnConnectFail, config.ConnectTimeout) = (false, 1000);
        var fresh = await ConnectionMultiplexer.SentinelConnectAsync(config);
        await _sentinelGate.WaitAsync();
        var old = _sentinels;
        _sentinels = fresh;
        _sentinelGate.Release();
        if (old is not null)
        {
            // A check may still be asking through it.
            _ = Task.Delay(TimeSpan.FromSeconds(5)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
        }
    }

    private ConfigurationOptions WithCredentialsPassword(ConfigurationOptions config)
    {
        _ = credentials.GetOrCreate(RedisServer.PasswordKey);
        config.Password = null;
        // While a rotation is pending here, it asks the endpoints this client connects to which password they take.
        config.Defaults = new CredentialsPassword(credentials, () => config.EndPoints.Select(EndpointText).ToList(), time);
        _passwordFromCredentials = true;
        return config;
    }

    /// <summary>host:port of the master for admin commands (a rotation): the one the client writes to, else the node's own server.</summary>
    public string? MasterForAdmin() => MasterEndpoint() ?? (options.Managed && AddressForOtherNodes.Sentinels.Count == 0 ? $"127.0.0.1:{options.Port}" : null);

    private string? MasterEndpoint() =>
        _connection?.GetEndPoints().Select(ep => _connection.GetServer(ep)).FirstOrDefault(s => s.IsConnected && !s.IsReplica) is { } master ? EndpointText(master.EndPoint) : null;

    private static string EndpointText(EndPoint ep) => ep is DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : ep.ToString()!;

    // A node that joined the mesh (mesh.lead_url) received the address when it joined, before the host started.
    private ConfigurationOptions JoinedUrl() =>
        credentials.Get(CredentialKeys.RedisUrl) is { } url && RedisUrl.TryParse(url, out var parsed, out _)
            ? parsed
            : throw new StartupException("mesh.lead_url", $"{CredentialKeys.RedisUrl} is missing from the credentials file: the node has not joined the mesh; set mesh.join_token");

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        await _refresh;
        if (_connection is not null)
        {
            await _connection.CloseAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_sentinels is not null)
        {
            await _sentinels.DisposeAsync();
        }

        _sentinelGate.Dispose();
        _stopping.Dispose();
    }

    public async Task<bool> PingsAsync()
    {
        try
        {
            // Bounded: while disconnected the client holds commands back until it reconnects, which would hide the outage.
            return _connection is not null && await _connection.GetDatabase().PingAsync(CommandFlags.DemandMaster).WaitAsync(TimeSpan.FromSeconds(1)) < TimeSpan.FromSeconds(1);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection to Redis at {Target} ({Failure}); reconnecting")]
    private partial void LogConnectionLost(string target, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnected to Redis at {Target}")]
    private partial void LogConnectionRestored(string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Target} did not answer a PING within 30 s of start (unreachable, or it refuses this node's password); starting the other modules, the client keeps reconnecting")]
    private partial void LogNoPingAtStart(string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Redis Sentinels name no reachable master yet ({Reason}); retrying")]
    private partial void LogNoMasterYet(string reason);
}
