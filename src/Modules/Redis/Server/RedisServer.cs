using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Processes;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// The node's own redis-server (persistence on, password from the credentials file), supervised: a final save
/// on stop (SIGTERM), a restart with backoff when it dies.
/// </summary>
internal sealed class RedisServer(
    RedisOptions options,
    NodeContext node,
    INodeCredentials credentials,
    RedisTopology topology,
    ILogger<RedisServer> logger,
    TimeProvider time) : SupervisedServer("redis-server", logger, time)
{
    public const string PasswordKey = CredentialKeys.RedisPassword;

    private string _lastLine = "";
    private string? _replicaOf;

    public string Dir => Path.Combine(node.DataDir, "redis");

    protected override int StopSignal => Signals.SigTerm;

    protected override TimeSpan StopTimeout => options.StopTimeout;

    protected override string RunningDetail => $"listening on port {options.Port}";

    protected override async Task PrepareAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await StopLeftoverAsync(Path.Combine(Dir, "redis.pid"), "redis", ct);
        PortProbe.EnsureFree(node.ListenAddresses(), options.Port, "redis.port");

        // Later changes of master reach a running server from the Sentinels (REPLICAOF), not from this file.
        var master = await topology.MasterAsync(ct);
        _replicaOf = topology.IsOwn(master) ? null : master;
    }

    protected override ProcessSpec CreateSpec() =>
        new(options.ServerPath, [RedisConfigFile.Write(Dir, options.Port, node.ListenAddresses(), credentials.GetOrCreate(PasswordKey), node.AdvertiseAddress, _replicaOf)], Dir);

    // redis-server lines look like "1234:M 22 Nov 2026 23:00:00.123 # message"; '#' marks warnings.
    protected override void OnOutput(string line)
    {
        _lastLine = line;
        var level = line.Contains(" # ", StringComparison.Ordinal) ? LogLevel.Warning : LogLevel.Information;
        logger.Log(level, "{RedisLine}", line);
    }

    // The shared client connection waits for PING; here it is enough that the port accepts.
    protected override Task WaitUntilUpAsync(ChildProcess child, CancellationToken ct) =>
        ListeningPort.WaitAsync(child, "redis-server", options.Port, () => _lastLine, Time, ct);
}
