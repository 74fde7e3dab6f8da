using System.Security.Cryptography;
using AuroraNode.Modules.Auth;
using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Auth.Passwords;
using AuroraNode.Tests.TestKit;
using Dapper;
using Npgsql;

namespace AuroraNode.Tests.Auth;

/// <summary>The auth schema's migration against a real PostgreSQL: it applies, and its constraints hold.</summary>
[NonParallelizable]
public sealed class AuthSchemaTests
{
    private TempDirectory _temp = null!;
    private ExternalPostgres _postgres = null!;

    [OneTimeSetUp]
    public async Task StartPostgres()
    {
        _temp = new TempDirectory();
        _postgres = await ExternalPostgres.StartAsync(_temp);
        await using var conn = await OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync($"CREATE SCHEMA {AuthSchema.Migrations.Schema}", transaction: tx);
        foreach (var script in AuthSchema.Migrations.Scripts)
        {
            await conn.ExecuteAsync(script.Sql, transaction: tx);
        }

        await tx.CommitAsync();
    }

    [OneTimeTearDown]
    public async Task StopPostgres()
    {
        await _postgres.DisposeAsync();
        _temp.Dispose();
    }

    [Test]
    public async Task Users_SameNameInAnotherCase_Refused()
    {
        await using var conn = await OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await InsertUserAsync(conn, "admin", ["admin"]);

        var error = await Assert.ThrowsAsync<PostgresException>(() => InsertUserAsync(conn, "Admin", ["user"]));

        Assert.That(error!.ConstraintName, Is.EqualTo("users_username"));
    }

    [TestCase("root", "users_roles_known")]
    [TestCase("", "users_username_length")]
    public async Task Users_BadRow_RefusedByItsConstraint(string roleOrName, string constraint)
    {
        await using var conn = await OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => constraint == "users_roles_known"
            ? InsertUserAsync(conn, "bob", [roleOrName])
            : InsertUserAsync(conn, roleOrName, ["user"]));

        Assert.That(error!.ConstraintName, Is.EqualTo(constraint));
    }

    [Test]
    public async Task Users_UnicodeAndSqlishNames_StoredAsGiven()
    {
        await using var conn = await OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        string[] names = ["zoë", "用户", "robert'); DROP TABLE auth.users;--"];
        foreach (var name in names)
        {
            await InsertUserAsync(conn, name, ["user"]);
        }

        var stored = await conn.QueryAsync<string>("SELECT username FROM auth.users ORDER BY username", transaction: tx);

        Assert.That(stored, Is.EquivalentTo(names));
    }

    [Test]
    public async Task SigningKeys_SealedKeyRoundTrips_AndOnlyOneKeyIsCurrent()
    {
        await using var conn = await OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var encryption = new KeyEncryption(RandomNumberGenerator.GetBytes(32));
        var key = SigningKey.Create(TokenKit.Start);
        await InsertKeyAsync(conn, key.KeyId, encryption.Seal(key.ExportPkcs8(), key.KeyId));

        var stored = await conn.QuerySingleAsync<byte[]>("SELECT private_key FROM auth.signing_keys WHERE kid = @kid", new { kid = key.KeyId }, tx);
        var reopened = SigningKey.FromPkcs8(encryption.Open(stored, key.KeyId), key.CreatedAt, null);
        var second = await Assert.ThrowsAsync<PostgresException>(() => InsertKeyAsync(conn, "another", [1, 2, 3]));

        Assert.That(reopened.KeyId, Is.EqualTo(key.KeyId));
        Assert.That(second!.ConstraintName, Is.EqualTo("signing_keys_one_current"));
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(_postgres.ConnectionString());
        await conn.OpenAsync();
        return conn;
    }

    private static Task InsertUserAsync(NpgsqlConnection conn, string username, string[] roles) =>
        conn.ExecuteAsync("""
            INSERT INTO auth.users (username, password_hash, roles, created_at, updated_at, password_changed_at)
            VALUES (@username, @hash, @roles, now(), now(), now())
            """, new { username, hash = new PasswordHasher(new PasswordHashParameters(1_000, 16, 32)).Hash("pw"), roles });

    private static Task InsertKeyAsync(NpgsqlConnection conn, string kid, byte[] sealedKey) =>
        conn.ExecuteAsync("INSERT INTO auth.signing_keys (kid, private_key, created_at) VALUES (@kid, @sealedKey, now())", new { kid, sealedKey });
}
