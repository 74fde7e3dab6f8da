using System.Text.Json;
using AuroraNode.Modules.Events;
using AuroraNode.Modules.Registry.Capabilities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuroraNode.Modules.Registry.Nodes;

/// <summary>
/// Registers this node with its detected capabilities and says it is alive every heartbeat interval
/// (<c>node_heartbeat</c> on <c>aurora:events:global</c>). The lead and the backup also record heartbeats that
/// other publishers send, and the lead prunes nodes offline longer than <c>prune_after</c>.
/// </summary>
internal sealed partial class Heartbeats(
    NodeStore store,
    IEventBus bus,
    NodeContext node,
    RegistryOptions options,
    ILogger<Heartbeats> logger,
    TimeProvider time) : BackgroundService
{
    private NodeRecord? _record;
    private volatile bool _left;

    /// <summary>Marks this node as having left the mesh on purpose (status <c>left</c>, not <c>offline</c>) and stops its heartbeats.</summary>
    public async Task LeaveAsync()
    {
        _left = true;
        var record = _record ?? await SelfRecordAsync();
        await store.UpsertAsync(record with { State = NodeStatus.Left });
        await store.TouchAsync(node.Name, time.GetUtcNow());
        await bus.PublishAsync(EventChannels.Global, EventEnvelope.Create("node_left", node.Name, time.GetUtcNow(), new { node = node.Name }), CancellationToken.None);
        LogLeft(node.Name);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var listening = node.HasAnyRole(NodeRoles.Core) ? bus.Subscribe(EventChannels.Global, OnEventAsync) : null;
        var record = _record = await SelfRecordAsync();
        while (!ct.IsCancellationRequested && !_left)
        {
            var now = time.GetUtcNow();
            try
            {
                await store.UpsertAsync(record);
                await store.TouchAsync(node.Name, now);
                if (node.Roles.Contains(NodeRole.Lead))
                {
                    await PruneAsync(now);
                }
            }
            catch (RedisException ex)
            {
                LogBeatNotStored(ex.Message);
            }

            try
            {
                await bus.PublishAsync(EventChannels.Global, EventEnvelope.Create("node_heartbeat", node.Name, now, new { node = node.Name, role = record.Role, status = NodeStatus.Active }), ct);
                await Task.Delay(options.HeartbeatInterval, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (InvalidOperationException ex)
            {
                LogBeatNotStored(ex.Message);
            }
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
        catch (RedisException)
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
            JsonSerializer.SerializeToElement(new { software = "aurora-node", version = node.Version }),
            earlier?.RegisteredAt ?? time.GetUtcNow(),
            null);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Heartbeat not recorded: {Reason}")]
    private partial void LogBeatNotStored(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed node {Node} from the registry: silent for more than {Hours} h")]
    private partial void LogPruned(string node, double hours);
}
