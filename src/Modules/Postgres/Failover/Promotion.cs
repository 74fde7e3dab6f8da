using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Events;
using AuroraNode.Modules.Postgres.Replication;
using AuroraNode.Modules.Postgres.Server;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Failover;

/// <summary>
/// Makes the local replica the primary once it holds the lease: promote, then take the primary's duties (its
/// address in Redis, a slot for every member so they can follow it, writes of this node to itself), and tell the mesh.
/// </summary>
internal sealed partial class Promotion(
    PostgresDatabase database,
    PostgresOptions options,
    NodeContext node,
    INodeCredentials credentials,
    LeaderLease lease,
    IServiceProvider services,
    ILogger<Promotion> logger,
    TimeProvider time)
{
    public async Task PromoteAsync(string? previous, CancellationToken ct)
    {
        LogPromoting(previous ?? "none");
        await using (var conn = await database.Reads.OpenConnectionAsync(ct))
        {
            // A new primary has no synchronous standby yet; the standby manager picks one when it streams. Strict, it
            // waits for one no node can be, so commits wait until a backup streams, as on the old primary. The setting is
            // read only after the promotion: a reload just before it makes the startup process sit out
            // wal_retrieve_retry_interval (1 s) before it sees the promote request.
            var standbys = options.SyncStrict ? $"'\"{SyncStandbyManager.AwaitingBackup}\"'" : "''";
            await conn.ExecuteAsync(new CommandDefinition($"ALTER SYSTEM SET synchronous_standby_names = {standbys}", cancellationToken: ct));
            if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_promote(true, 60)", cancellationToken: ct)))
            {
                throw new TimeoutException("pg_promote did not finish within 60 s");
            }

            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_reload_conf()", cancellationToken: ct));

            await EnsureSlotsAsync(conn, ct);
        }

        var address = database.AddressForOtherNodes!;
        credentials.Set(CredentialKeys.PostgresPrimary, address);
        database.FollowPrimary(null);
        await lease.PublishAddressAsync(node.Name, address);
        await lease.SetSyncStandbyAsync(null);
        LogPromoted(address);
        await PublishAsync(previous, address, ct);
    }

    /// <summary>A physical slot for every other member, so each can follow this primary and keep the WAL it still needs.</summary>
    public async Task EnsureSlotsAsync(CancellationToken ct)
    {
        await using var conn = await database.Reads.OpenConnectionAsync(ct);
        await EnsureSlotsAsync(conn, ct);
    }

    private async Task EnsureSlotsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var members = await conn.QueryAsync<string>(new CommandDefinition("SELECT node FROM replication.members WHERE node <> @Me", new { Me = node.Name }, cancellationToken: ct));
        var slots = (await conn.QueryAsync<string>(new CommandDefinition("SELECT slot_name::text FROM pg_replication_slots", cancellationToken: ct))).ToHashSet();
        foreach (var slot in members.Select(ReplicaSource.SlotFor).Where(s => !slots.Contains(s)))
        {
            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_create_physical_replication_slot(@Slot, true)", new { Slot = slot }, cancellationToken: ct));
            LogSlotCreated(slot);
        }

        var own = ReplicaSource.SlotFor(node.Name);
        if (slots.Contains(own))
        {
            await conn.ExecuteAsync(new CommandDefinition("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = @Slot AND NOT active", new { Slot = own }, cancellationToken: ct));
        }
    }

    private async Task PublishAsync(string? previous, string address, CancellationToken ct)
    {
        if (services.GetService<IEventBus>() is not { } bus)
        {
            return;
        }

        var now = time.GetUtcNow();
        var change = new { node = node.Name, address, previous };
        await bus.PublishAsync(EventChannels.Global, EventEnvelope.Create("primary_changed", node.Name, now, change), ct);
        await bus.PublishAsync(EventChannels.SystemAlert, EventEnvelope.Create("alert_raised", node.Name, now, new
        {
            node = node.Name,
            kind = "failover",
            severity = "critical",
            detail = $"{node.Name} is the primary now (at {address}); the previous primary {previous ?? "(unknown)"} lost the leader lease",
        }), ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Promoting the local replica to primary (the lease is ours; previous primary: {Previous})")]
    private partial void LogPromoting(string previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This node's PostgreSQL is the primary now, at {Address}")]
    private partial void LogPromoted(string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created replication slot {Slot} for a member")]
    private partial void LogSlotCreated(string slot);
}
