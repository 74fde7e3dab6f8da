using AuroraNode.Modules.Data;
using AuroraNode.Modules.Events;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AuroraNode.Modules.Auth.Keys;

/// <summary>
/// Keeps <see cref="SigningKeys"/> in step with <c>auth.signing_keys</c>: loads the set from the local database at
/// start (the first node that finds no current key creates one), re-reads it every <c>key_refresh</c> and on a
/// <c>keys_rotated</c> event, and rotates on the lead when the current key is older than <c>key_rotation</c>.
/// </summary>
internal sealed partial class KeyStore(
    SigningKeys keys,
    KeyEncryption encryption,
    IDatabase database,
    IEventBus bus,
    AuthOptions options,
    AuthLimits limits,
    NodeContext node,
    ILogger<KeyStore> logger,
    TimeProvider time) : BackgroundService
{
    public const string RotatedEvent = "keys_rotated";

    private const string SelectSql = """
        SELECT kid AS KeyId, private_key AS Sealed, created_at AS CreatedAt, retired_at AS RetiredAt
        FROM auth.signing_keys WHERE retired_at IS NULL OR retired_at > @Cutoff ORDER BY created_at DESC
        """;

    private const string InsertSql = """
        INSERT INTO auth.signing_keys (kid, private_key, created_at) VALUES (@KeyId, @Sealed, @CreatedAt) ON CONFLICT DO NOTHING
        """;

    private const string RetireSql = "UPDATE auth.signing_keys SET retired_at = @Now WHERE retired_at IS NULL";

    private const string PruneSql = "DELETE FROM auth.signing_keys WHERE retired_at IS NOT NULL AND retired_at <= @Cutoff";

    private const string DropRetiredSql = "DELETE FROM auth.signing_keys WHERE retired_at IS NOT NULL";

    private readonly SemaphoreSlim _reloads = new(1, 1);
    private long _lastForcedReload;

    /// <summary>True once the stored key set is loaded: until then nothing is signed or verified.</summary>
    public bool IsLoaded { get; private set; }

    /// <summary>Why the last load failed, until one succeeds.</summary>
    public string? LastError { get; private set; }

    public override async Task StartAsync(CancellationToken ct)
    {
        // Loaded before the API serves when the database answers; otherwise the background loop keeps trying.
        var until = time.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (!IsLoaded && time.GetUtcNow() < until)
        {
            try
            {
                await LoadAsync(fromPrimary: false, ct);
            }
            catch (Exception ex) when (ex is NpgsqlException or KeyDecryptionException)
            {
                LastError = ex.Message;
                LogLoadFailed(logger, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, ct);
            }
        }

        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var subscription = bus.Subscribe(EventChannels.Global, async (e, token) =>
        {
            if (e.Type == RotatedEvent)
            {
                await TryLoadAsync(fromPrimary: true, token);
            }
        });
        for (var wait = TimeSpan.FromMilliseconds(500); !IsLoaded; wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
        {
            await Task.Delay(wait, time, ct);
            await TryLoadAsync(fromPrimary: false, ct);
        }

        using var timer = new PeriodicTimer(limits.KeyRefresh, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            await TryLoadAsync(fromPrimary: false, ct);
            if (node.Roles.Contains(NodeRole.Lead) && keys.Current.CreatedAt + options.KeyRotation <= time.GetUtcNow())
            {
                try
                {
                    await RotateAsync(ct);
                }
                catch (NpgsqlException ex)
                {
                    LogRotateFailed(logger, ex.Message);
                }
            }
        }
    }

    /// <summary>Re-reads the key set from the primary now (the mesh key was rotated: the rows were sealed anew).</summary>
    public Task ReloadAsync(CancellationToken ct) => TryLoadAsync(fromPrimary: true, ct);

    /// <summary>A token names a kid this node does not know: a key made elsewhere may not have replicated yet. Re-read from the primary, at most every few seconds.</summary>
    public async Task ReloadForUnknownKeyAsync(CancellationToken ct)
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastForcedReload);
        if (last != 0 && time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(5))
        {
            return;
        }

        Interlocked.Exchange(ref _lastForcedReload, now);
        await TryLoadAsync(fromPrimary: true, ct);
    }

    /// <summary>
    /// Retires the current key and makes a new one current, for every node; the old one verifies until its tokens
    /// expire — or, with <paramref name="dropRetired"/> (a node was revoked: it could unseal the old keys), every
    /// retired key is deleted at once and tokens they signed are refused (clients refresh).
    /// </summary>
    public async Task<SigningKey> RotateAsync(CancellationToken ct, bool dropRetired = false)
    {
        var now = time.GetUtcNow();
        var fresh = SigningKey.Create(now);
        await using (var conn = await database.Writes.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            try
            {
                await conn.ExecuteAsync(new CommandDefinition(RetireSql, new { Now = now.UtcDateTime }, tx, cancellationToken: ct));
                await conn.ExecuteAsync(new CommandDefinition(InsertSql, Row(fresh), tx, cancellationToken: ct));
                await conn.ExecuteAsync(new CommandDefinition(PruneSql, new { Cutoff = (now - options.KeepRetiredKeys).UtcDateTime }, tx, cancellationToken: ct));
                if (dropRetired)
                {
                    await conn.ExecuteAsync(new CommandDefinition(DropRetiredSql, transaction: tx, cancellationToken: ct));
                }

                await tx.CommitAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Another node rotated at the same moment: its key is the current one.
                await tx.RollbackAsync(ct);
                await LoadAsync(fromPrimary: true, ct);
                return keys.Current;
            }
        }

        LogRotated(logger, fresh.KeyId);
        await LoadAsync(fromPrimary: true, ct);
        await bus.PublishAsync(EventChannels.Global, EventEnvelope.Create(RotatedEvent, bus.NodeName, now, new { kid = fresh.KeyId }), ct);
        return fresh;
    }

    private async Task TryLoadAsync(bool fromPrimary, CancellationToken ct)
    {
        try
        {
            await LoadAsync(fromPrimary, ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or KeyDecryptionException)
        {
            LastError = ex.Message;
            LogLoadFailed(logger, ex.Message);
        }
    }

    private async Task LoadAsync(bool fromPrimary, CancellationToken ct)
    {
        await _reloads.WaitAsync(ct);
        try
        {
            var stored = await ReadAsync(fromPrimary ? database.Writes : database.Reads, ct);
            if (!stored.Any(k => k.RetiredAt is null))
            {
                // The first node that needs a key makes it; the unique index on the current key settles a race.
                var first = SigningKey.Create(time.GetUtcNow());
                await using (var conn = await database.Writes.OpenConnectionAsync(ct))
                {
                    if (await conn.ExecuteAsync(new CommandDefinition(InsertSql, Row(first), cancellationToken: ct)) == 1)
                    {
                        LogCreated(logger, first.KeyId);
                    }
                }

                stored = await ReadAsync(database.Writes, ct);
            }

            if (keys.Replace(stored) || !IsLoaded)
            {
                LogLoaded(logger, stored.Count, keys.Current.KeyId);
            }

            IsLoaded = true;
            LastError = null;
        }
        finally
        {
            _reloads.Release();
        }
    }

    private async Task<List<SigningKey>> ReadAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        await using var conn = await source.OpenConnectionAsync(ct);
        var cutoff = time.GetUtcNow() - options.KeepRetiredKeys;
        var rows = await conn.QueryAsync<StoredKey>(new CommandDefinition(SelectSql, new { Cutoff = cutoff.UtcDateTime }, cancellationToken: ct));
        return rows.Select(r => SigningKey.FromPkcs8(encryption.Open(r.Sealed, r.KeyId), r.CreatedAt, r.RetiredAt)).ToList();
    }

    private object Row(SigningKey key) => new { key.KeyId, Sealed = encryption.Seal(key.ExportPkcs8(), key.KeyId), CreatedAt = key.CreatedAt.UtcDateTime };

    private sealed record StoredKey(string KeyId, byte[] Sealed, DateTime CreatedAt, DateTime? RetiredAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the mesh's first signing key {KeyId}")]
    private static partial void LogCreated(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the signing keys: {KeyId} signs from now on")]
    private static partial void LogRotated(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} signing key(s); {KeyId} signs")]
    private static partial void LogLoaded(ILogger logger, int count, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the signing keys: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not rotate the signing keys: {Reason}")]
    private static partial void LogRotateFailed(ILogger logger, string reason);
}
