using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Data;
using AuroraNode.Modules.Postgres.Server;
using Npgsql;

namespace AuroraNode.Modules.Postgres;

/// <summary>Connections to the node's PostgreSQL. On a single node reads and writes go to the same server.</summary>
internal sealed class PostgresDatabase : IDatabase, IDisposable
{
    private readonly NpgsqlDataSource _source;

    public PostgresDatabase(PostgresOptions options, INodeCredentials credentials)
    {
        var builder = options.Managed
            ? new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = options.Port,
                Username = "postgres",
                Password = credentials.GetOrCreate(PostgresServer.SuperuserPasswordKey),
                Database = options.Database,
            }
            : new NpgsqlConnectionStringBuilder(options.ConnectionString);
        builder.ApplicationName = "aurora-node";
        builder.Timeout = 5;
        Target = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _source = NpgsqlDataSource.Create(builder);
    }

    public NpgsqlDataSource Reads => _source;

    public NpgsqlDataSource Writes => _source;

    public bool IsReady { get; private set; }

    /// <summary>host:port/database, for messages (no credentials).</summary>
    public string Target { get; }

    public string? MigrationError { get; private set; }

    public void MarkMigrated() => (IsReady, MigrationError) = (true, null);

    public void MarkMigrationFailed(string error) => (IsReady, MigrationError) = (false, error);

    public void ClearIdleConnections() => _source.Clear();

    public void Dispose() => _source.Dispose();
}
