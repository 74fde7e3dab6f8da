using AuroraNode.Modules.Data;
using DbUp.Postgresql;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Migrations;

/// <summary>
/// Applies every module's <see cref="SchemaMigrations"/> with DbUp at start, on the primary only, each schema
/// journaled in its own <c>schema_versions</c> table, under an advisory lock so two nodes never race.
/// </summary>
internal sealed partial class MigrationRunner(
    PostgresDatabase database,
    IEnumerable<SchemaMigrations> migrations,
    ILogger<MigrationRunner> logger,
    TimeProvider time) : IHostedService
{
    private const long AdvisoryLockKey = 0x4155524f5241; // "AURORA"

    public async Task StartAsync(CancellationToken ct)
    {
        await using var conn = await OpenWithRetryAsync(ct);
        await using (var recovery = new NpgsqlCommand("SELECT pg_is_in_recovery()", conn))
        {
            if ((bool)(await recovery.ExecuteScalarAsync(ct))!)
            {
                // A replica receives the primary's schema through replication.
                database.MarkMigrated();
                return;
            }
        }

        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryLockKey})", conn))
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        // Released explicitly: a pooled connection may keep its session, and with it the lock, for the next user.
        try
        {
            var upgradeLog = new MicrosoftUpgradeLog(logger);
            foreach (var schema in migrations)
            {
                await using (var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS \"{schema.Schema}\"", conn))
                {
                    await create.ExecuteNonQueryAsync(ct);
                }

                var result = await Task.Run(() => Upgrade(database.Writes, schema, upgradeLog), ct);
                if (!result.Successful)
                {
                    var message = $"migration {result.ErrorScript?.Name ?? "(before any script)"} of schema '{schema.Schema}' failed: {result.Error.Message}";
                    database.MarkMigrationFailed(message);
                    throw new StartupException(null, message + " (nothing of that script was applied; fix the script or the database and restart)");
                }

                foreach (var script in result.Scripts)
                {
                    LogApplied(schema.Schema, script.Name);
                }
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdvisoryLockKey})", conn);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }

        database.MarkMigrated();
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    private static DatabaseUpgradeResult Upgrade(NpgsqlDataSource source, SchemaMigrations schema, IUpgradeLog log) =>
        PostgresqlExtensions.PostgresqlDatabase(new PostgresqlConnectionManager(source), schema.Schema)
            .JournalToPostgresqlTable(schema.Schema, "schema_versions")
            .WithScripts(schema.Scripts.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new SqlScript(s.Name, s.Sql)))
            .WithTransactionPerScript()
            .LogTo(log)
            .Build()
            .PerformUpgrade();

    // An unmanaged server may still be starting; a managed one is up before this runs.
    private async Task<NpgsqlConnection> OpenWithRetryAsync(CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                // The local server: a replica among them answers "in recovery" and migrates nothing.
                return await database.Reads.OpenConnectionAsync(ct);
            }
            catch (NpgsqlException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(500, ct);
            }
            catch (NpgsqlException ex)
            {
                throw new StartupException("postgres", $"cannot reach PostgreSQL at {database.Target}: {ex.Message}; check that it runs and that the credentials are right");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Schema}/{Script}")]
    private partial void LogApplied(string schema, string script);
}
