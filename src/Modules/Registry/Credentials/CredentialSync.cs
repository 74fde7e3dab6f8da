using AuroraNode.Modules.Credentials;
using AuroraNode.Modules.Events;
using AuroraNode.Modules.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using IRedis = AuroraNode.Modules.Redis.IRedis;

namespace AuroraNode.Modules.Registry.Credentials;

/// <summary>
/// Keeps this node's mesh passwords current: on <see cref="MeshSecrets.RotatedEvent"/> (or when the version in Redis,
/// checked every <see cref="CheckInterval"/>, is newer than its own, e.g. after a missed event) it fetches them from the
/// rotating node (else the lead it joined through) with a signed request, stores them in one atomic write and applies
/// them to its servers and clients. Its connections stay up meanwhile: Redis and PostgreSQL keep authenticated ones.
/// A node that missed the event and lost its Redis connection too (frozen, cut off) cannot read that version: its old
/// password no longer opens Redis. While Redis does not answer, each check therefore asks the lead over HTTP instead.
/// At start and at each check it also finishes this node's own pending rotation, if any (<see cref="PendingRotation"/>).
/// </summary>
internal sealed partial class CredentialSync(
    IEnumerable<IMeshSecretHolder> holders,
    CredentialRotation rotation,
    INodeCredentials credentials,
    IRedis redis,
    IEventBus bus,
    NodeSigningKey key,
    NodeContext node,
    ILogger<CredentialSync> logger,
    TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RedisWait = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Uri? _lastSource;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var client = new MeshSecretsClient(key, time);
        using var subscription = bus.Subscribe(EventChannels.Global, (e, ct) =>
            e.Type == MeshSecrets.RotatedEvent && e.SourceNode != node.Name ? OnRotatedAsync(client, e, ct) : Task.CompletedTask);
        using var timer = new PeriodicTimer(CheckInterval, time);
        // A rotation this node started and did not finish (it was killed, or the primary's answer was lost) first,
        // once the node's start-up is through.
        await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
        await rotation.ResumePendingAsync(stoppingToken);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await rotation.ResumePendingAsync(stoppingToken);
            long? version;
            try
            {
                // The master only: a replica this node still reaches (a revoked node's, cut off from the master) holds an old version.
                version = MeshSecrets.ParseVersion(await redis.Connection.GetDatabase().StringGetAsync(MeshSecrets.VersionRedisKey, CommandFlags.DemandMaster).WaitAsync(RedisWait, stoppingToken));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                version = null; // Away, or refusing this node's password: the lead tells which.
            }

            if (version is null || version > MeshSecrets.Read(credentials).Version)
            {
                await CatchUpAsync(client, version, null, stoppingToken);
            }
        }
    }

    private async Task OnRotatedAsync(MeshSecretsClient client, EventEnvelope e, CancellationToken ct)
    {
        var data = e.Data;
        if (data.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return;
        }

        var version = data.TryGetProperty("version", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number && v.TryGetInt64(out var parsed) ? parsed : 0;
        var url = data.TryGetProperty("url", out var u) && u.ValueKind == System.Text.Json.JsonValueKind.String && Uri.TryCreate(u.GetString(), UriKind.Absolute, out var source) ? source : null;
        if (version > MeshSecrets.Read(credentials).Version)
        {
            await CatchUpAsync(client, version, url, ct);
        }
    }

    // A null version: whatever newer one the sources hold (Redis could not say); none newer is the usual answer then.
    private async Task CatchUpAsync(MeshSecretsClient client, long? wanted, Uri? source, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var old = MeshSecrets.Read(credentials);
            var version = wanted ?? old.Version + 1;
            if (old.Version >= version)
            {
                return;
            }

            _lastSource = source ?? _lastSource;
            foreach (var from in new[] { source, _lastSource, node.LeadUrl }.OfType<Uri>().Distinct())
            {
                try
                {
                    var fetched = await client.FetchAsync(from, ct);
                    if (fetched.Version < version)
                    {
                        if (wanted is not null)
                        {
                            LogBehind(from, fetched.Version, version);
                        }

                        continue;
                    }

                    var next = fetched.WithValuesOf(old, MeshSecrets.Keys.Where(k => fetched[k] is null));
                    credentials.SetAll(next.ToCredentials());
                    foreach (var holder in holders.OrderBy(h => h.Order))
                    {
                        try
                        {
                            await holder.ApplyLocallyAsync(new MeshSecretChange(old, next), ct);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            LogApplyFailed(holder.Name, ex.Message);
                        }
                    }

                    LogApplied(next.Version, from);
                    return;
                }
                catch (MeshSecretsFetchException ex) when (wanted is null)
                {
                    LogFallbackFailed(from, ex.Message); // Redis and the lead both away: quiet, it is asked again in 10 s.
                }
                catch (MeshSecretsFetchException ex)
                {
                    LogFetchFailed(from, ex.Message);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applied the mesh's rotated passwords (version {Version}, from {Source})")]
    private partial void LogApplied(long version, Uri source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not apply the mesh's rotated secrets to {Holder} here: {Reason}")]
    private partial void LogApplyFailed(string holder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the mesh's rotated passwords from {Source}: {Reason}")]
    private partial void LogFetchFailed(Uri source, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis does not answer and {Source} could not be asked for the mesh's passwords either: {Reason}")]
    private partial void LogFallbackFailed(Uri source, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Source} holds the mesh's passwords of version {Has}, not yet {Wanted}")]
    private partial void LogBehind(Uri source, long has, long wanted);
}
