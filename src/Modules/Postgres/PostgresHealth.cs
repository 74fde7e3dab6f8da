using AuroraNode.Modules.Health;
using AuroraNode.Modules.Postgres.Server;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AuroraNode.Modules.Postgres;

/// <summary>Running when a query answers and every migration is applied.</summary>
internal sealed class PostgresHealth(PostgresDatabase database, PostgresOptions options, IServiceProvider services) : IModuleHealth
{
    public string Module => "postgres";

    public async Task<ModuleHealthReport> CheckAsync(CancellationToken ct)
    {
        var server = services.GetService<PostgresServer>();
        var data = new Dictionary<string, object?>
        {
            ["managed"] = options.Managed,
            ["target"] = database.Target,
            ["migrations_applied"] = database.IsReady,
        };
        if (server is not null)
        {
            data["pid"] = server.Pid;
            data["restarts"] = server.Restarts;
            data["version"] = options.MajorVersion;
            data["bin_dir"] = options.BinDir;
            if (server.State != ModuleState.Running)
            {
                return new ModuleHealthReport(server.State, $"PostgreSQL {server.StateDetail}", data);
            }
        }

        if (database.MigrationError is { } error)
        {
            return new ModuleHealthReport(ModuleState.Failed, error, data);
        }

        try
        {
            await using var cmd = database.Reads.CreateCommand("SELECT pg_is_in_recovery()");
            var inRecovery = (bool)(await cmd.ExecuteScalarAsync(ct))!;
            data["in_recovery"] = inRecovery;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return new ModuleHealthReport(ModuleState.Failed, $"PostgreSQL at {database.Target} is not answering: {ex.Message}", data);
        }

        return database.IsReady
            ? new ModuleHealthReport(ModuleState.Running, $"PostgreSQL answering at {database.Target}", data)
            : new ModuleHealthReport(ModuleState.Starting, "applying migrations", data);
    }
}
