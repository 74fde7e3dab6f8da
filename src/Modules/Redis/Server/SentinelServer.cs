using AuroraNode.Modules.Processes;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// The node's Redis Sentinel (<c>redis-server --sentinel</c>), supervised like redis-server. With the Sentinels of
/// the lead, the backup and one more node (a quorum of two out of three) the mesh's Redis fails over to the backup's
/// replica when the lead's server is gone, and every node's client follows the master they name.
/// </summary>
internal sealed class SentinelServer(
    RedisOptions options,
    NodeContext node,
    RedisTopology topology,
    SentinelRegistration registration,
    ILogger<SentinelServer> logger,
    TimeProvider time) : SupervisedServer("redis-sentinel", logger, time)
{
    private string _lastLine = "";
    private string _config = "";

    public string Dir => Path.Combine(node.DataDir, "sentinel");

    protected override int StopSignal => Signals.SigTerm;

    protected override TimeSpan StopTimeout => options.StopTimeout;

    protected override string RunningDetail => $"listening on port {options.SentinelPort}";

    protected override async Task PrepareAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await StopLeftoverAsync(Path.Combine(Dir, "sentinel.pid"), "redis", ct);
        PortProbe.EnsureFree(node.ListenAddresses(), options.SentinelPort, "redis.sentinel_port");
        await registration.EnsureAsync(Dir, ct);

        _config = SentinelConfigFile.EnsureWritten(Dir, options, node.ListenAddresses(), node.AdvertiseAddress, await topology.MasterAsync(ct), topology.Password);
    }

    protected override ProcessSpec CreateSpec() => new(options.ServerPath, [_config, "--sentinel"], Dir);

    protected override void OnOutput(string line)
    {
        _lastLine = line;
        // "+switch-master", "+sdown", "+odown": the events an operator wants to see.
        var level = line.Contains(" # ", StringComparison.Ordinal) || line.Contains("+switch-master", StringComparison.Ordinal) ? LogLevel.Warning : LogLevel.Information;
        logger.Log(level, "{SentinelLine}", line);
    }

    protected override Task WaitUntilUpAsync(ChildProcess child, CancellationToken ct) =>
        ListeningPort.WaitAsync(child, "redis-sentinel", options.SentinelPort, () => _lastLine, Time, ct);
}
