using AuroraNode.Configuration;
using AuroraNode.Modules.Data;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Hosting;

/// <summary>The host's own schema: <c>node.starts</c>, one row per start of a node (name, version, time), kept for audits and shown as the start count.</summary>
internal sealed class NodeStartHistory(IServiceProvider services, NodeSettings settings, ILogger<NodeStartHistory> logger, TimeProvider time) : Microsoft.Extensions.Hosting.IHostedService
{
    public static readonly SchemaMigrations Migrations = new("node",
    [
        new MigrationScript("0001_starts", """
            CREATE TABLE node.starts (
                id          bigserial PRIMARY KEY,
                node_name   text        NOT NULL,
                version     text        NOT NULL,
                started_at  timestamptz NOT NULL
            );
            CREATE INDEX starts_node_name ON node.starts (node_name, started_at);
            """),
    ]);

    private const string InsertSql = """
        INSERT INTO node.starts (node_name, version, started_at) VALUES (@Name, @Version, @At);
        SELECT count(*) FROM node.starts WHERE node_name = @Name;
        """;

    /// <summary>How many times this node has started, this start included; null without a database.</summary>
    public long? Starts { get; private set; }

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public async Task StartAsync(CancellationToken ct)
    {
        if (services.GetService<IDatabase>() is not { } db)
        {
            return;
        }

        // On a replica the row goes to the primary; a node whose primary is away still starts.
        try
        {
            await using var conn = await db.Writes.OpenConnectionAsync(ct);
            Starts = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                InsertSql, new { settings.Node.Name, settings.Node.Version, At = StartedAt.UtcDateTime }, cancellationToken: ct));
        }
        catch (Npgsql.NpgsqlException ex)
        {
            logger.LogWarning("This start was not recorded in node.starts: {Reason}", ex.Message);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
