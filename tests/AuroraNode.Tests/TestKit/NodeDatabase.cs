using Npgsql;

namespace AuroraNode.Tests.TestKit;

/// <summary>Connections to a test node's own PostgreSQL as its superuser, the way an operator would open them.</summary>
public static class NodeDatabase
{
    public static string ConnectionString(NodeProcess node, string? hosts = null) => new NpgsqlConnectionStringBuilder
    {
        Host = hosts ?? node.Config.Address,
        Port = node.Config.PostgresPort,
        Username = "postgres",
        Password = Mesh.Credentials(node)["postgres.superuser_password"],
        Database = "aurora",
        Pooling = false,
        Timeout = 3,
    }.ConnectionString;

    public static async Task<NpgsqlConnection> OpenAsync(NodeProcess node)
    {
        var conn = new NpgsqlConnection(ConnectionString(node));
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>The pid of the node's postmaster, from its pid file.</summary>
    public static int PostmasterPid(NodeProcess node) =>
        int.Parse(File.ReadLines(Path.Combine(node.Config.DataDir, "postgres", "postmaster.pid")).First());
}
