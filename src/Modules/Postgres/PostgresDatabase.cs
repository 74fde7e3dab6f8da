using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Data;
using AuroraNode.Modules.Postgres.Server;
using Npgsql;

namespace AuroraNode.Modules.Postgres;

/// <summary>
/// Connections to the node's PostgreSQL. On the primary reads and writes go to the same server; on a replica
/// reads stay local and writes go to whichever of the primary and the local server takes writes.
/// </summary>
internal sealed class PostgresDatabase : IDatabase, IDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource? _writes;

    public PostgresDatabase(PostgresOptions options, INodeCredentials credentials, NodeContext node)
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
        AddressForOtherNodes = options.Managed ? $"{node.AdvertiseAddress}:{options.Port}" : null;
        if (options.Replica && credentials.Get(CredentialKeys.PostgresPrimary) is { } primary)
        {
            // Both hosts, so writes follow the primary when this server is promoted (failover).
            builder.Host = $"{primary},127.0.0.1:{options.Port}";
            _writes = new NpgsqlDataSourceBuilder(builder.ConnectionString).BuildMultiHost().WithTargetSession(TargetSessionAttributes.ReadWrite);
        }
    }

    public NpgsqlDataSource Reads => _source;

    public NpgsqlDataSource Writes => _writes ?? _source;

    public string? AddressForOtherNodes { get; }

    public bool IsReady { get; private set; }

    /// <summary>host:port/database, for messages (no credentials).</summary>
    public string Target { get; }

    public string? MigrationError { get; private set; }

    public void MarkMigrated() => (IsReady, MigrationError) = (true, null);

    public void MarkMigrationFailed(string error) => (IsReady, MigrationError) = (false, error);

    public void ClearIdleConnections() => _source.Clear();

    public void Dispose()
    {
        _source.Dispose();
        _writes?.Dispose();
    }
}
