using Npgsql;

namespace AuroraNode.Modules.Data;

/// <summary>The node's PostgreSQL, as every module sees it. Each module keeps its tables in its own schema.</summary>
public interface IDatabase
{
    /// <summary>Connections to the local server (the primary, or this node's replica), for reads.</summary>
    NpgsqlDataSource Reads { get; }

    /// <summary>Connections to the current primary, for writes.</summary>
    NpgsqlDataSource Writes { get; }

    /// <summary>True once the server is up and every module's migrations are applied.</summary>
    bool IsReady { get; }

    /// <summary>host:port other nodes reach the node's own server on (its replicas stream from it); null when the server is not the node's own.</summary>
    string? AddressForOtherNodes { get; }
}
