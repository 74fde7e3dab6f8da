using AuroraNode.Modules.Credentials;
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
/// are ended, its slot dropped and it leaves <c>replication.members</c>.
/// </summary>
internal sealed partial class PostgresSecretRotation(
    PostgresDatabase database,
    PostgresOptions options,
    NodeContext node,
    INodeCredentials credentials,
    ILogger<PostgresSecretRotation> logger) : IMeshSecretHolder
{
    private const string TerminateSql = """
        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND (application_name = ANY(@Names) OR (@Address::inet IS NOT NULL AND client_addr = @Address::inet))
        """;

    private const string DropSlotSql = "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = @Slot AND NOT active";

    public string Name => "postgres";

    public int Order => 20;

    public IReadOnlyList<string> SecretKeys { get; } = [CredentialKeys.ReplicationPassword, CredentialKeys.SuperuserPassword];

    public async Task<IReadOnlyList<string>> RotateMeshAsync(MeshSecretChange change, CancellationToken ct)
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
            await tx.CommitAsync(ct);
        }
        catch (NpgsqlException ex)
        {
            throw new MeshRotationException($"could not change the passwords on the primary PostgreSQL ({ex.Message}); the old ones stay", ex);
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

            LogDisconnected(revoked.Name, ended, slot);
            return [$"postgres: ended {ended} connection(s) of {revoked.Name}", dropped ? $"postgres: slot {slot} dropped" : $"postgres: slot {slot} still in use, not dropped"];
        }
        catch (NpgsqlException ex)
        {
            return [$"postgres: could not end {revoked.Name}'s connections on the primary ({ex.Message})"];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the passwords of the PostgreSQL roles replicator and postgres on the primary")]
    private partial void LogRotated();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ended {Count} PostgreSQL connection(s) of the revoked node {Node} and dropped its slot {Slot}")]
    private partial void LogDisconnected(string node, long count, string slot);
}
