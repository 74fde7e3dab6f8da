using System.Text.Json.Serialization;

namespace AuroraNode.Modules.Postgres.Replication;

/// <summary>
/// This node's server in the mesh's replication: <c>GET /api/v1/replication</c>. <see cref="FailoverCandidate"/> is the
/// standby recorded in Redis as the one node that may promote without loss (Patroni's sync key): PostgreSQL may wait
/// for a standby a moment before it is recorded; null when none is, or Redis does not answer.
/// </summary>
internal sealed record ReplicationView(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("address")] string? Address,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("timeline")] long Timeline,
    [property: JsonPropertyName("lsn")] string? Lsn,
    [property: JsonPropertyName("receive_lsn")] string? ReceiveLsn,
    [property: JsonPropertyName("replay_lsn")] string? ReplayLsn,
    [property: JsonPropertyName("lag_bytes")] long? LagBytes,
    [property: JsonPropertyName("lag_seconds")] double? LagSeconds,
    [property: JsonPropertyName("primary")] string? Primary,
    [property: JsonPropertyName("failover_candidate")] string? FailoverCandidate,
    [property: JsonPropertyName("replicas")] IReadOnlyList<ReplicaView> Replicas);

/// <summary>One replica as the primary sees it: its slot and, while connected, its stream.</summary>
internal sealed record ReplicaView(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("slot")] string? Slot,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("sync_state")] string? SyncState,
    [property: JsonPropertyName("address")] string? Address,
    [property: JsonPropertyName("write_lag_bytes")] long? WriteLagBytes,
    [property: JsonPropertyName("flush_lag_bytes")] long? FlushLagBytes,
    [property: JsonPropertyName("replay_lag_bytes")] long? ReplayLagBytes,
    [property: JsonPropertyName("write_lag_seconds")] double? WriteLagSeconds,
    [property: JsonPropertyName("flush_lag_seconds")] double? FlushLagSeconds,
    [property: JsonPropertyName("replay_lag_seconds")] double? ReplayLagSeconds,
    [property: JsonPropertyName("slot_retained_bytes")] long? SlotRetainedBytes);
