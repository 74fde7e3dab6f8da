using System.Collections.Concurrent;
using AuroraNode.Modules.Events;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AuroraNode.Modules.Auth.Sessions;

/// <summary>What a node knows about whether a session lives.</summary>
internal enum Liveness
{
    Alive,
    Revoked,

    /// <summary>Not cached and Redis did not answer: the request is refused (fail closed).</summary>
    Unknown,
}

/// <summary>
/// This node's cache of session liveness (sid → alive or revoked), so a request does not ask Redis every time.
/// An alive answer is trusted for <c>session_check_cache</c>; a revocation event on <c>aurora:user:session</c> from any
/// node overrides it at once; a revoked answer is kept as long as an access token of the session can live.
/// </summary>
internal sealed class SessionLiveness(SessionStore store, IEventBus bus, AuthOptions options, AuthLimits limits, TimeProvider time) : IHostedService
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();
    private IDisposable? _subscription;

    public async Task<Liveness> CheckAsync(string user, string sid, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(sid, out var cached) && cached.User == user && now < cached.Until)
        {
            return cached.Alive ? Liveness.Alive : Liveness.Revoked;
        }

        bool alive;
        try
        {
            alive = await store.IsAliveAsync(user, sid, ct);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return Liveness.Unknown;
        }

        // A revocation that arrived while Redis was asked wins over the older answer.
        var entry = new Entry(user, alive, now + (alive ? limits.SessionCheckCache : options.AccessTokenTtl + options.ClockSkew));
        _entries.AddOrUpdate(sid, entry, (_, old) => old.Alive || !alive ? entry : old);
        if (_entries.Count > 100_000)
        {
            Sweep(now);
        }

        return alive ? Liveness.Alive : Liveness.Revoked;
    }

    /// <summary>Marks a session revoked on this node (the event does the same on the others).</summary>
    public void Revoked(string user, string sid) =>
        _entries[sid] = new Entry(user, false, time.GetUtcNow() + options.AccessTokenTtl + options.ClockSkew);

    public Task StartAsync(CancellationToken ct)
    {
        _subscription = bus.Subscribe(EventChannels.UserSession, OnEventAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private Task OnEventAsync(EventEnvelope envelope, CancellationToken ct)
    {
        var revocation = envelope.Type is SessionEvents.SessionRevoked or SessionEvents.UserSessionsRevoked ? envelope.DataAs<SessionRevocation>() : null;
        if (revocation is { Sid: { } sid })
        {
            Revoked(revocation.User, sid);
        }
        else if (revocation is not null)
        {
            // Every session of the user: forget what is cached, the next request asks Redis (where they are gone).
            foreach (var (key, entry) in _entries)
            {
                if (entry.User == revocation.User)
                {
                    _entries.TryRemove(key, out _);
                }
            }
        }

        return Task.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Until <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed record Entry(string User, bool Alive, DateTimeOffset Until);
}
