using AuroraNode.Modules.Data;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Replication;

/// <summary>
/// Every node with its own PostgreSQL records itself in <c>replication.members</c> on the primary (roles, and whether
/// it may be the synchronous standby), so the primary knows which of its streams is the backup's. The table is
/// replicated like any other, so a promoted replica knows the members too.
/// </summary>
internal sealed partial class ReplicationMembers(
    PostgresDatabase database,
    PostgresOptions options,
    NodeContext node,
    ILogger<ReplicationMembers> logger,
    TimeProvider time) : BackgroundService
{
    public static readonly SchemaMigrations Migrations = new("replication",
    [
        new MigrationScript("0001_members", """
            CREATE TABLE replication.members (
                node        text        PRIMARY KEY,
                roles       text[]      NOT NULL,
                nosync      boolean     NOT NULL,
                updated_at  timestamptz NOT NULL
            );
            """),
    ]);

    private const string UpsertSql = """
        INSERT INTO replication.members (node, roles, nosync, updated_at) VALUES (@Node, @Roles, @NoSync, @At)
        ON CONFLICT (node) DO UPDATE SET roles = excluded.roles, nosync = excluded.nosync, updated_at = excluded.updated_at
        """;

    // Until the primary takes the row (it may be away, or still starting): the node runs meanwhile.
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await database.Writes.OpenConnectionAsync(ct);
                var roles = node.Roles.Order().Select(r => r.ToConfigName()).ToArray();
                await conn.ExecuteAsync(new CommandDefinition(UpsertSql, new { Node = node.Name, Roles = roles, NoSync = options.NoSync, At = time.GetUtcNow().UtcDateTime }, cancellationToken: ct));
                return;
            }
            catch (NpgsqlException ex)
            {
                LogNotRecorded(ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record this node in replication.members on the primary ({Reason}); retrying")]
    private partial void LogNotRecorded(string reason);
}
