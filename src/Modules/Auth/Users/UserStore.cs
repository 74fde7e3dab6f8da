using AuroraNode.Modules.Data;
using Dapper;
using Npgsql;

namespace AuroraNode.Modules.Auth.Users;

/// <summary><c>auth.users</c>: reads from the local server (a replica is fine), writes to the primary.</summary>
internal sealed class UserStore(IDatabase database, TimeProvider time)
{
    private const string Columns = """
        id AS Id, username AS Username, password_hash AS PasswordHash, roles AS Roles, disabled AS Disabled,
        created_at AS CreatedAt, updated_at AS UpdatedAt, password_changed_at AS PasswordChangedAt
        """;

    private const string FindSql = $"SELECT {Columns} FROM auth.users WHERE lower(username) = @Name";
    private const string ListSql = $"SELECT {Columns} FROM auth.users ORDER BY username";
    private const string AnySql = "SELECT EXISTS (SELECT 1 FROM auth.users)";

    private const string InsertSql = $"""
        INSERT INTO auth.users (username, password_hash, roles, created_at, updated_at, password_changed_at)
        VALUES (@Name, @Hash, @Roles, @Now, @Now, @Now) ON CONFLICT DO NOTHING RETURNING {Columns}
        """;

    private const string UpdateSql = $"""
        UPDATE auth.users SET disabled = coalesce(@Disabled, disabled), roles = coalesce(@Roles, roles), updated_at = @Now
        WHERE lower(username) = @Name RETURNING {Columns}
        """;

    private const string PasswordSql = """
        UPDATE auth.users SET password_hash = @Hash, password_changed_at = @Now, updated_at = @Now WHERE lower(username) = @Name
        """;

    private const string DeleteSql = "DELETE FROM auth.users WHERE lower(username) = @Name";

    /// <summary>The user from the primary when <paramref name="fresh"/> (just written elsewhere), else from the local server.</summary>
    public async Task<User?> FindAsync(string name, CancellationToken ct, bool fresh = false)
    {
        await using var conn = await (fresh ? database.Writes : database.Reads).OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<User>(new CommandDefinition(FindSql, new { Name = name }, cancellationToken: ct));
    }

    public async Task<List<User>> ListAsync(CancellationToken ct)
    {
        await using var conn = await database.Reads.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<User>(new CommandDefinition(ListSql, cancellationToken: ct))).ToList();
    }

    public async Task<bool> AnyAsync(CancellationToken ct)
    {
        await using var conn = await database.Writes.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(AnySql, cancellationToken: ct));
    }

    /// <summary>The new user, or null when the name is taken.</summary>
    public async Task<User?> CreateAsync(string name, string passwordHash, string[] roles, CancellationToken ct)
    {
        await using var conn = await database.Writes.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<User>(new CommandDefinition(InsertSql, new { Name = name, Hash = passwordHash, Roles = roles, Now = Now() }, cancellationToken: ct));
    }

    public async Task<User?> UpdateAsync(string name, bool? disabled, string[]? roles, CancellationToken ct)
    {
        await using var conn = await database.Writes.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<User>(new CommandDefinition(UpdateSql, new { Name = name, Disabled = disabled, Roles = roles, Now = Now() }, cancellationToken: ct));
    }

    public async Task<bool> SetPasswordAsync(string name, string passwordHash, CancellationToken ct)
    {
        await using var conn = await database.Writes.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(PasswordSql, new { Name = name, Hash = passwordHash, Now = Now() }, cancellationToken: ct)) == 1;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        await using var conn = await database.Writes.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(DeleteSql, new { Name = name }, cancellationToken: ct)) == 1;
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    /// <summary>True for errors that mean the database is away, not that the request is wrong.</summary>
    public static bool IsUnavailable(Exception ex) => ex is NpgsqlException and not PostgresException || ex is PostgresException { SqlState: "57P01" or "57P03" or "25006" };
}
