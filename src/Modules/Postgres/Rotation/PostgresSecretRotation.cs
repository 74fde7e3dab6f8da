using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Postgres.Failover;
using AuroraNode.Modules.Postgres.Replication;
using AuroraNode.Modules.Postgres.Server;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Rotation;

/// <summary>
/// The passwords of the roles <c>replicator</c> and <c>postgres</c>: changed once, on the primary (every replica
/// receives <c>pg_authid</c> through replication); streams already connected keep streaming. Each node then rewrites
/// the passfile its replica reconnects with and its own clients take the new password at their next connection
/// (<see cref="PostgresDatabase"/> reads it from the credentials file). A revoked node's walsender and other backends
/// are ended, its slot dropped and it leaves <c>replication.members</c>; a revoked synchronous standby is released
/// first (the supervisor picks another or goes on asynchronously; a strict primary blocks commits until one streams).
/// The primary itself is never revoked. Running the same change again (an interrupted rotation finished later) sets
/// the same passwords once more; this node's connections reach a primary that took them already through
/// <see cref="SuperuserPassword"/>.
/// </summary>
internal sealed partial class PostgresSecretRotation(
    PostgresDatabase database,
    PostgresOptions options,
    LeaderLease lease,
    NodeContext node,
    INodeCredentials credentials,
    ILogger<PostgresSecretRotation> logger) : IMeshSecretHolder
{
    private const string TerminateSql = """
        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND (application_name = ANY(@Names) OR (@Address::inet IS NOT NULL AND client_addr = @Address::inet))
        """;

    // Another backup that could be the synchronous standby instead of the revoked one.
    private const string OtherCandidateSql = """
        SELECT EXISTS (SELECT 1 FROM pg_stat_replication r JOIN replication.members m ON m.node = r.application_name
        WHERE ('backup' = ANY (m.roles) OR 'lead' = ANY (m.roles)) AND NOT m.nosync AND r.state = 'streaming' AND r.application_name <> @Node)
        """;

    private const string DropSlotSql = "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = @Slot AND NOT active";

    public string Name => "postgres";

    public int Order => 20;

    public IReadOnlyList<string> SecretKeys { get; } = [CredentialKeys.ReplicationPassword, CredentialKeys.SuperuserPassword];

    public async Task<RevocationRisk?> RiskOfRevokingAsync(RevokedNode node, CancellationToken ct)
    {
        if (!options.Managed || !lease.Available)
        {
            return null;
        }

        if (await lease.HolderAsync() == node.Name)
        {
            return new RevocationRisk($"{node.Name} is the mesh's primary (it holds the leader lease): hand the primary over first (`aurora-node demote --to NODE` on {node.Name}), then revoke it", Forcible: false);
        }

        // The primary's setting decides (it is the one that would block), not this node's; its own when none was recorded.
        if (!(await lease.SyncStrictAsync() ?? options.SyncStrict))
        {
            return null; // Without its synchronous standby the primary goes on asynchronously and raises an alert.
        }

        await using var conn = await database.Writes.OpenConnectionAsync(ct);
        var standby = (await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT current_setting('synchronous_standby_names')", cancellationToken: ct)) ?? "").Trim('"');
        return standby == node.Name && !await conn.ExecuteScalarAsync<bool>(new CommandDefinition(OtherCandidateSql, new { Node = node.Name }, cancellationToken: ct))
            ? new RevocationRisk($"{node.Name} is the primary's only synchronous standby and postgres.sync_strict is true: every commit would block until another backup streams; start another backup first", Forcible: true)
            : null;
    }

    public async Task<IReadOnlyList<string>> RotateMeshAsync(MeshSecretChange change, RevokedNode revoked, CancellationToken ct)
    {
        if (!SecretKeys.Any(change.Changes))
        {
            return [];
        }

        if (!options.Managed)
        {
            throw new MeshRotationException("postgres.connection_string names a server this node does not run: change its passwords there and in postgres.connection_string");
        }

        try
        {
            await using var conn = await database.Writes.OpenConnectionAsync(ct);
            if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_is_in_recovery()", cancellationToken: ct)))
            {
                throw new MeshRotationException("the PostgreSQL this node writes to is not the primary right now (a failover?); revoke again once it settles");
            }

            await using var tx = await conn.BeginTransactionAsync(ct);
            // Verifiers only: the passwords themselves never reach the server.
            await conn.ExecuteAsync(new CommandDefinition($"ALTER ROLE {StandbyConfig.ReplicationUser} PASSWORD '{ScramVerifier.Create(change.Next[CredentialKeys.ReplicationPassword]!)}'", transaction: tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition($"ALTER ROLE postgres PASSWORD '{ScramVerifier.Create(change.Next[CredentialKeys.SuperuserPassword]!)}'", transaction: tx, cancellationToken: ct));
            await RotationPause.BeforeCommitAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (NpgsqlException ex)
        {
            // Cut off at the commit (the primary died, the link broke), the change may have taken: it stays pending.
            throw new MeshRotationException($"could not change the passwords on the primary PostgreSQL ({ex.Message})", ex, outcomeUnknown: true);
        }

        LogRotated();
        return [];
    }

    public Task ApplyLocallyAsync(MeshSecretChange change, CancellationToken ct)
    {
        // A replica (or a former one) reconnects to its primary with this file.
        if (options.Managed && File.Exists(Path.Combine(node.DataDir, "replication.pgpass"))
            && credentials.Get(CredentialKeys.ReplicationPassword) is { } replication && credentials.Get(CredentialKeys.SuperuserPassword) is { } superuser)
        {
            StandbyConfig.WritePassFile(node.DataDir, replication, superuser, ClusterInitializer.RunAsUser(options));
        }

        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string>> DisconnectAsync(RevokedNode revoked, CancellationToken ct)
    {
        if (!options.Managed)
        {
            return [];
        }

        var slot = ReplicaSource.SlotFor(revoked.Name);
        try
        {
            await using var conn = await database.Writes.OpenConnectionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM replication.members WHERE node = @Node", new { Node = revoked.Name }, cancellationToken: ct));
            var released = await ReleaseSyncStandbyAsync(conn, revoked.Name, ct);
            var ended = await conn.ExecuteScalarAsync<long>(new CommandDefinition(TerminateSql, new { Names = new[] { revoked.Name, $"aurora-node:{revoked.Name}" }, revoked.Address }, cancellationToken: ct));
            // The walsender ends a moment after it is told to; until then the slot is active.
            var dropped = false;
            for (var i = 0; i < 50 && !dropped; i++)
            {
                dropped = await conn.ExecuteScalarAsync<long>(new CommandDefinition(DropSlotSql, new { Slot = slot }, cancellationToken: ct)) > 0
                    || !await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = @Slot)", new { Slot = slot }, cancellationToken: ct));
                if (!dropped)
                {
                    await Task.Delay(100, ct);
                }
            }

            if (lease.Available)
            {
                await lease.ForgetAsync(revoked.Name);
            }

            LogDisconnected(revoked.Name, ended, slot);
            return [.. released, $"postgres: ended {ended} connection(s) of {revoked.Name}", dropped ? $"postgres: slot {slot} dropped" : $"postgres: slot {slot} still in use, not dropped"];
        }
        catch (NpgsqlException ex)
        {
            return [$"postgres: could not end {revoked.Name}'s connections on the primary ({ex.Message})"];
        }
    }

    // Before its stream ends, so that no commit waits for it: first no longer trusted to promote, then no longer waited for.
    private async Task<IReadOnlyList<string>> ReleaseSyncStandbyAsync(NpgsqlConnection conn, string standby, CancellationToken ct)
    {
        var configured = (await conn.ExecuteScalarAsync<string>(new CommandDefinition("SELECT current_setting('synchronous_standby_names')", cancellationToken: ct)) ?? "").Trim('"');
        if (lease.Available && await lease.SyncStandbyAsync() == standby)
        {
            await lease.SetSyncStandbyAsync(null);
        }

        if (configured != standby)
        {
            return [];
        }

        // A strict primary never goes on asynchronously, as the refusal to revoke without --force said: it waits on a
        // name no node has, so commits block until another backup streams (the supervisor picks it then).
        var strict = lease.Available ? await lease.SyncStrictAsync() ?? options.SyncStrict : options.SyncStrict;
        var value = strict ? $"\"{SyncStandbyManager.AwaitingBackup}\"" : "";
        await conn.ExecuteAsync(new CommandDefinition($"ALTER SYSTEM SET synchronous_standby_names = '{value}'", cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_reload_conf()", cancellationToken: ct));
        LogReleased(standby, strict ? "commits block until another backup streams (postgres.sync_strict)" : "it picks another backup, or goes on asynchronously and raises an alert");
        return [strict
            ? $"postgres: {standby} is no longer the synchronous standby; the primary is strict (postgres.sync_strict): commits block until another backup streams"
            : $"postgres: {standby} is no longer the synchronous standby (the primary picks another backup, or goes on asynchronously and raises an alert)"];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The revoked node {Node} was the synchronous standby: the primary no longer waits for it; {Then}")]
    private partial void LogReleased(string node, string then);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the passwords of the PostgreSQL roles replicator and postgres on the primary")]
    private partial void LogRotated();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ended {Count} PostgreSQL connection(s) of the revoked node {Node} and dropped its slot {Slot}")]
    private partial void LogDisconnected(string node, long count, string slot);
}
