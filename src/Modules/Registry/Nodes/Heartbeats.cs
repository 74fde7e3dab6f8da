using System.Text.Json;
using AuroraNode.Modules.Data;
using AuroraNode.Modules.Events;
using AuroraNode.Modules.Registry.Capabilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Registry.Nodes;

/// <summary>
/// Registers this node with its detected capabilities and says it is alive every heartbeat interval
/// (<c>node_heartbeat</c> on <c>aurora:events:global</c>). The lead and the backup also record heartbeats that
/// other publishers send, and the lead prunes nodes offline longer than <c>prune_after</c>. A node that announced
/// sleep stays silent (and <c>sleeping</c>) until it is told to wake or notices the machine was suspended.
/// </summary>
internal sealed partial class Heartbeats(
    NodeStore store,
    IEventBus bus,
    NodeContext node,
    RegistryOptions options,
    IEnumerable<IReplicationState> replication,
    ILogger<Heartbeats> logger,
    TimeProvider time) : BackgroundService
{
    // Wall-clock time running ahead of the monotonic clock by more than this means the machine was suspended.
    private static readonly TimeSpan SuspendGap = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly SemaphoreSlim _beatNow = new(0);
    private NodeRecord? _record;
    private volatile bool _left;
    private volatile bool _sleeping;

    /// <summary>Marks this node as having left the mesh on purpose (status <c>left</c>, not <c>offline</c>) and stops its heartbeats.</summary>
    public async Task LeaveAsync()
    {
        _left = true;
        await AnnounceAsync(NodeStatus.Left, "node_left");
        LogLeft(node.Name);
    }

    /// <summary>The machine is about to sleep: the node shows <c>sleeping</c> and sends no heartbeats until it wakes.</summary>
    public async Task SleepAsync()
    {
        _sleeping = true;
        await AnnounceAsync(NodeStatus.Sleeping, "node_sleeping");
        LogSleeping(node.Name);
    }

    /// <summary>The machine woke up: heartbeats resume at once, and the node shows <c>active</c> again.</summary>
    public void Wake()
    {
        if (_sleeping)
        {
            _sleeping = false;
            _beatNow.Release();
            LogAwake(node.Name, "told to wake");
        }
    }

    private async Task AnnounceAsync(string state, string eventType)
    {
        var record = _record ?? await SelfRecordAsync();
        await _writes.WaitAsync();
        try
        {
            await store.UpsertAsync(record with { State = state });
            await store.TouchAsync(node.Name, time.GetUtcNow());
        }
        finally
        {
            _writes.Release();
        }

        await bus.PublishAsync(EventChannels.Global, EventEnvelope.Create(eventType, node.Name, time.GetUtcNow(), new { node = node.Name }), CancellationToken.None);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var listening = node.HasAnyRole(NodeRoles.Core) ? bus.Subscribe(EventChannels.Global, OnEventAsync) : null;
        var record = _record = await SelfRecordAsync();
        while (!ct.IsCancellationRequested && !_left)
        {
            var now = time.GetUtcNow();
            if (!_sleeping)
            {
                await BeatAsync(record with { Metadata = await MetadataAsync(ct) }, now, ct);
            }

            var (wall, monotonic) = (time.GetUtcNow(), time.GetTimestamp());
            await Task.WhenAny(Task.Delay(options.HeartbeatInterval, time, ct), _beatNow.WaitAsync(ct));
            if (_sleeping && time.GetUtcNow() - wall - time.GetElapsedTime(monotonic) > SuspendGap)
            {
                _sleeping = false;
                LogAwake(node.Name, "the machine was suspended");
            }
        }
    }

    private async Task BeatAsync(NodeRecord record, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await _writes.WaitAsync(ct);
            try
            {
                if (_sleeping || _left)
                {
                    return; // Announced while this beat waited: don't overwrite it.
                }

                await store.UpsertAsync(record);
                await store.TouchAsync(node.Name, now);
            }
            finally
            {
                _writes.Release();
            }

            if (node.Roles.Contains(NodeRole.Lead))
            {
                await PruneAsync(now);
            }

            await bus.PublishAsync(EventChannels.Global, EventEnvelope.Create("node_heartbeat", node.Name, now, new { node = node.Name, role = record.Role, status = NodeStatus.Active }), ct);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException or InvalidOperationException)
        {
            LogBeatNotStored(ex.Message);
        }
    }

    private async Task<NodeRecord> SelfRecordAsync()
    {
        var roles = node.Roles.Order().Select(r => r.ToConfigName()).ToList();
        NodeRecord? earlier = null;
        try
        {
            earlier = await store.FindAsync(node.Name);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Redis is away: the first heartbeat that gets through registers the node anew.
        }

        return new NodeRecord(
            node.Name,
            roles[0],
            roles,
            node.AdvertiseAddress,
            null,
            JsonSerializer.SerializeToElement(CapabilityProbe.Detect(node.DataDir, node.Version)),
            await MetadataAsync(CancellationToken.None),
            earlier?.RegisteredAt ?? time.GetUtcNow(),
            null);
    }

    // The database role changes with a failover or switchover, so every beat carries the current one.
    private async Task<JsonElement> MetadataAsync(CancellationToken ct)
    {
        var database = replication.FirstOrDefault() is { } state ? await state.RoleAsync(ct) : null;
        return JsonSerializer.SerializeToElement(new { software = "aurora-node", version = node.Version, database });
    }

    // Heartbeats from publishers that don't write the registry themselves (seed scripts, tools).
    private async Task OnEventAsync(EventEnvelope envelope, CancellationToken ct)
    {
        if (envelope.Type == "node_heartbeat" && envelope.Data.ValueKind == JsonValueKind.Object
            && envelope.Data.TryGetProperty("node", out var name) && name.GetString() is { Length: > 0 } nodeName && nodeName != node.Name)
        {
            await store.TouchAsync(nodeName, envelope.Timestamp);
        }
    }

    private async Task PruneAsync(DateTimeOffset now)
    {
        foreach (var (n, lastSeen) in (await store.ReadAsync()).Nodes)
        {
            if (n.Name != node.Name && now - (lastSeen ?? n.RegisteredAt) > options.PruneAfter)
            {
                await store.RemoveAsync(n.Name);
                LogPruned(n.Name, options.PruneAfter.TotalHours);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} left the mesh")]
    private partial void LogLeft(string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} is going to sleep; heartbeats pause until it wakes")]
    private partial void LogSleeping(string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} is awake ({Why}); heartbeats resume")]
    private partial void LogAwake(string node, string why);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Heartbeat not recorded: {Reason}")]
    private partial void LogBeatNotStored(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed node {Node} from the registry: silent for more than {Hours} h")]
    private partial void LogPruned(string node, double hours);
}
