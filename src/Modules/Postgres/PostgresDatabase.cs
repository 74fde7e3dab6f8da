using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Data;
using AuroraNode.Modules.Postgres.Rotation;
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
    private readonly string _local;
    private readonly string _writesConnection;
    private readonly INodeCredentials _credentials;
    private readonly SuperuserPassword _password;
    private readonly bool _managed;
    private volatile NpgsqlDataSource? _writes;
    private string? _writesPrimary;

    public PostgresDatabase(PostgresOptions options, INodeCredentials credentials, NodeContext node, TimeProvider time)
    {
        (_credentials, _managed, _password) = (credentials, options.Managed, new SuperuserPassword(credentials, time));
        var builder = options.Managed
            ? new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = options.Port,
                Username = "postgres",
                Database = options.Database,
            }
            : new NpgsqlConnectionStringBuilder(options.ConnectionString);
        // Named after the node, so that revoking it can end its connections.
        builder.ApplicationName = $"aurora-node:{node.Name}";
        builder.Timeout = 5;
        Target = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _source = WithPassword(new NpgsqlDataSourceBuilder(builder.ConnectionString)).Build();
        _writesConnection = builder.ConnectionString;
        _local = $"127.0.0.1:{options.Port}";
        AddressForOtherNodes = options.Managed ? $"{node.AdvertiseAddress}:{options.Port}" : null;
        if (options.Replica && credentials.Get(CredentialKeys.PostgresPrimary) is { } primary)
        {
            FollowPrimary(primary);
        }
    }

    public NpgsqlDataSource Reads => _source;

    /// <summary>The superuser password for a new connection to a server (the pending one where the server takes only that).</summary>
    public SuperuserPassword SuperuserPassword => _password;

    public NpgsqlDataSource Writes => _writes ?? _source;

    /// <summary>
    /// Sends writes to <paramref name="primary"/> (host:port), or to the local server when null (it is the primary).
    /// The local server stays the second host, so writes find it at once if it is promoted.
    /// </summary>
    public void FollowPrimary(string? primary)
    {
        if (primary == AddressForOtherNodes)
        {
            primary = null;
        }

        lock (_source)
        {
            if (primary == _writesPrimary)
            {
                return;
            }

            var old = _writes;
            _writes = primary is null
                ? null
                : WithPassword(new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(_writesConnection) { Host = $"{primary},{_local}", HostRecheckSeconds = 1 }.ConnectionString))
                    .BuildMultiHost().WithTargetSession(TargetSessionAttributes.ReadWrite);
            _writesPrimary = primary;

            // Connections taken from the old source finish their work first.
            if (old is not null)
            {
                _ = Task.Delay(TimeSpan.FromMinutes(1)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
            }
        }
    }

    // The superuser's password from the credentials file at every new connection: a rotation replaces it there
    // (while one is pending on this node, whichever of the two the server takes).
    private NpgsqlDataSourceBuilder WithPassword(NpgsqlDataSourceBuilder builder)
    {
        if (_managed)
        {
            _ = _credentials.GetOrCreate(PostgresServer.SuperuserPasswordKey);
            builder.UsePasswordProvider(_password.Get, _password.GetAsync);
        }

        return builder;
    }

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
