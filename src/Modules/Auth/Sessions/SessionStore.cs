using System.Globalization;
using System.Text.Json;
using AuroraNode.Modules.Auth.Refresh;
using AuroraNode.Modules.Events;
using StackExchange.Redis;
using IRedis = AuroraNode.Modules.Redis.IRedis;

namespace AuroraNode.Modules.Auth.Sessions;

/// <summary>
/// Sessions and their refresh families in the mesh's Redis, so every node sees a login made on any other, and ending
/// one ends it everywhere (a <c>session_revoked</c> event tells the nodes' caches at once).
/// </summary>
internal sealed class SessionStore(IRedis redis, IEventBus bus, RefreshRotation rotation, AuthOptions options, NodeContext node, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private IDatabase Db => redis.Connection.GetDatabase();

    /// <summary>Starts a session for <paramref name="user"/>: its id and the first refresh token.</summary>
    public async Task<(string Sid, string RefreshToken)> StartAsync(string user, string clientAddress, string userAgent, CancellationToken ct)
    {
        var sid = SessionIds.New();
        var (family, secret) = rotation.Start(sid, user);
        var now = Stamp(time.GetUtcNow());
        var tx = Db.CreateTransaction();
        _ = tx.HashSetAsync(SessionKeys.Session(user, sid),
        [
            new("node", node.Name), new("client", clientAddress), new("user_agent", userAgent), new("created", now), new("last_seen", now),
        ]);
        _ = tx.KeyExpireAsync(SessionKeys.Session(user, sid), options.RefreshTokenTtl);
        _ = tx.StringSetAsync(SessionKeys.Family(sid), JsonSerializer.Serialize(family, Json), options.RefreshTokenTtl);
        _ = tx.SetAddAsync(SessionKeys.UserSessions(user), sid);
        _ = tx.KeyExpireAsync(SessionKeys.UserSessions(user), options.RefreshTokenTtl);
        await tx.ExecuteAsync().WaitAsync(ct);
        return (sid, RefreshToken.Compose(sid, secret));
    }

    /// <summary>
    /// Applies the refresh rules to a presented token, atomically against concurrent refreshes of the same family.
    /// The family as it now stands comes back, with the new token when it rotated.
    /// </summary>
    public async Task<RefreshDecision?> RefreshAsync(string sid, string secret, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var key = SessionKeys.Family(sid);
            var stored = await Db.StringGetAsync(key).WaitAsync(ct);
            if (stored.IsNull)
            {
                return null;
            }

            var family = JsonSerializer.Deserialize<RefreshFamily>(stored.ToString(), Json)!;
            var decision = rotation.Refresh(family, secret);
            if (!decision.Changed)
            {
                return decision;
            }

            var tx = Db.CreateTransaction();
            tx.AddCondition(Condition.StringEqual(key, stored));
            _ = tx.StringSetAsync(key, JsonSerializer.Serialize(rotation.Trim(decision.Family), Json),
                decision.Outcome == RefreshOutcome.Rotated ? options.RefreshTokenTtl : null, keepTtl: decision.Outcome != RefreshOutcome.Rotated);
            if (decision.Outcome == RefreshOutcome.Rotated)
            {
                var session = SessionKeys.Session(family.UserId, sid);
                tx.AddCondition(Condition.KeyExists(session));
                _ = tx.HashSetAsync(session, "last_seen", Stamp(time.GetUtcNow()));
                _ = tx.KeyExpireAsync(session, options.RefreshTokenTtl);
            }

            if (await tx.ExecuteAsync().WaitAsync(ct))
            {
                return decision;
            }

            // The family changed under us (a concurrent refresh or a logout): decide again on what is stored now.
        }

        return null;
    }

    /// <summary>Whose session <paramref name="sid"/> is, while its family is stored.</summary>
    public async Task<string?> OwnerAsync(string sid, CancellationToken ct)
    {
        var stored = await Db.StringGetAsync(SessionKeys.Family(sid)).WaitAsync(ct);
        return stored.IsNull ? null : JsonSerializer.Deserialize<RefreshFamily>(stored.ToString(), Json)?.UserId;
    }

    public async Task<bool> IsAliveAsync(string user, string sid, CancellationToken ct) =>
        await Db.KeyExistsAsync(SessionKeys.Session(user, sid)).WaitAsync(ct);

    /// <summary>Ends one session everywhere; false when it was not (or no longer) alive.</summary>
    public async Task<bool> RevokeAsync(string user, string sid, string reason, CancellationToken ct)
    {
        var ended = await EndAsync(user, sid, reason, ct);
        await bus.PublishAsync(EventChannels.UserSession, EventEnvelope.Create(SessionEvents.SessionRevoked, bus.NodeName, time.GetUtcNow(), new SessionRevocation(user, sid)), ct);
        return ended;
    }

    /// <summary>Ends every session of <paramref name="user"/> but <paramref name="except"/>; returns how many ended.</summary>
    public async Task<int> RevokeAllAsync(string user, string reason, CancellationToken ct, string? except = null)
    {
        var ended = new List<string>();
        foreach (var member in await Db.SetMembersAsync(SessionKeys.UserSessions(user)).WaitAsync(ct))
        {
            var sid = member.ToString();
            if (sid != except && await EndAsync(user, sid, reason, ct))
            {
                ended.Add(sid);
            }
        }

        // Keeping one session: each other one is announced by itself, so the nodes' caches keep the kept one.
        var events = except is null
            ? [EventEnvelope.Create(SessionEvents.UserSessionsRevoked, bus.NodeName, time.GetUtcNow(), new SessionRevocation(user, null))]
            : ended.Select(sid => EventEnvelope.Create(SessionEvents.SessionRevoked, bus.NodeName, time.GetUtcNow(), new SessionRevocation(user, sid))).ToList();
        foreach (var envelope in events)
        {
            await bus.PublishAsync(EventChannels.UserSession, envelope, ct);
        }

        return ended.Count;
    }

    public async Task<SessionInfo?> FindAsync(string user, string sid, CancellationToken ct)
    {
        var fields = await Db.HashGetAllAsync(SessionKeys.Session(user, sid)).WaitAsync(ct);
        return fields.Length == 0 ? null : Read(user, sid, fields.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString()));
    }

    public async Task<List<SessionInfo>> ListAsync(string user, CancellationToken ct)
    {
        var sessions = new List<SessionInfo>();
        foreach (var sid in await Db.SetMembersAsync(SessionKeys.UserSessions(user)).WaitAsync(ct))
        {
            if (await FindAsync(user, sid.ToString(), ct) is { } session)
            {
                sessions.Add(session);
            }
            else
            {
                // Expired: its hash is gone, so is its place in the list.
                await Db.SetRemoveAsync(SessionKeys.UserSessions(user), sid).WaitAsync(ct);
            }
        }

        return sessions.OrderBy(s => s.Created).ToList();
    }

    private async Task<bool> EndAsync(string user, string sid, string reason, CancellationToken ct)
    {
        var familyKey = SessionKeys.Family(sid);
        var stored = await Db.StringGetAsync(familyKey).WaitAsync(ct);
        var tx = Db.CreateTransaction();
        var deleted = tx.KeyDeleteAsync(SessionKeys.Session(user, sid));
        _ = tx.SetRemoveAsync(SessionKeys.UserSessions(user), sid);
        if (!stored.IsNull && JsonSerializer.Deserialize<RefreshFamily>(stored.ToString(), Json) is { } family)
        {
            // Kept (revoked) until it expires: a replayed refresh token of it is answered as revoked, not unknown.
            _ = tx.StringSetAsync(familyKey, JsonSerializer.Serialize(rotation.Revoke(family, reason), Json), null, keepTtl: true);
        }

        await tx.ExecuteAsync().WaitAsync(ct);
        return await deleted;
    }

    private static string Stamp(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static SessionInfo Read(string user, string sid, Dictionary<string, string> f) => new(
        sid,
        user,
        f.GetValueOrDefault("node", ""),
        f.GetValueOrDefault("client", ""),
        f.GetValueOrDefault("user_agent", ""),
        At(f.GetValueOrDefault("created")),
        At(f.GetValueOrDefault("last_seen")));

    private static DateTimeOffset At(string? ms) =>
        long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? DateTimeOffset.FromUnixTimeMilliseconds(v) : default;
}
