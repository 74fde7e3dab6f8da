using System.Collections.Concurrent;
using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Postgres.Server;
using Npgsql;

namespace AuroraNode.Modules.Postgres.Rotation;

/// <summary>
/// The password each new connection of the node's data sources gives for <c>postgres</c>: the one in the credentials
/// file (a rotation replaces it there). While a rotation this node started is pending (<see cref="PendingRotation"/>),
/// the server may take the current or the planned one: one extra short connection finds out which (remembered for a
/// few seconds per server), so the node keeps its access to a primary whose <c>ALTER ROLE</c> took while the new value
/// was not yet saved, and finishes the rotation from there.
/// </summary>
internal sealed class SuperuserPassword(INodeCredentials credentials, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TakenPassword> _taken = new();

    public string Get(NpgsqlConnectionStringBuilder settings) => GetAsync(settings, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public async ValueTask<string> GetAsync(NpgsqlConnectionStringBuilder settings, CancellationToken ct)
    {
        var current = credentials.GetOrCreate(PostgresServer.SuperuserPasswordKey);
        if (PendingRotation.OtherValue(credentials, PostgresServer.SuperuserPasswordKey) is not { } planned)
        {
            return current;
        }

        var known = _taken.GetOrAdd($"{settings.Host}:{settings.Port}", _ => new TakenPassword(time));
        if (known.Recall(current, planned) is { } recalled)
        {
            return recalled;
        }

        // A server that does not answer says nothing about either: the current one, asked again next time.
        if (await TakesAsync(settings, current, ct) is not { } takesCurrent)
        {
            return current;
        }

        var taken = !takesCurrent && await TakesAsync(settings, planned, ct) == true ? planned : current;
        known.Remember(taken);
        return taken;
    }

    // True or false when the server took or refused the password; null when it did not answer.
    private static async Task<bool?> TakesAsync(NpgsqlConnectionStringBuilder settings, string password, CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Password = password, Pooling = false, Timeout = 3 };
        try
        {
            await using var conn = new NpgsqlConnection(probe.ConnectionString);
            await conn.OpenAsync(ct);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            return false;
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }
}
