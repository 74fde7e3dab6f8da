using System.Security.Cryptography;
using System.Text;
using IRedis = AuroraNode.Modules.Redis.IRedis;
using StackExchange.Redis;

namespace AuroraNode.Modules.Registry.Joining;

/// <summary>
/// Join tokens in Redis, so the lead and the backup honour the same ones. Only the token's SHA-256 is stored;
/// checking and using a token is one script, so two nodes racing for a single-use token can't both win. A token's
/// key outlives its expiry by a week, so a late or repeated attempt is told "expired" or "already used", not "unknown".
/// </summary>
internal sealed class JoinTokens(IRedis redis, TimeProvider time)
{
    private const string Prefix = "aurora_join_";
    private static readonly TimeSpan KeptAfterExpiry = TimeSpan.FromDays(7);

    private static readonly LuaScript Use = LuaScript.Prepare("""
        if redis.call('EXISTS', @key) == 0 then return {'unknown', ''} end
        local t = redis.call('HMGET', @key, 'expires_ms', 'uses_left', 'role', 'used_by')
        local usedBy = t[4] or ''
        if tonumber(@now) >= tonumber(t[1]) then return {'expired', t[1]} end
        if tonumber(t[2]) <= 0 then return {'used', usedBy} end
        if t[3] ~= '' and not string.find(@roles, ',' .. t[3] .. ',', 1, true) then return {'role', t[3]} end
        redis.call('HINCRBY', @key, 'uses_left', -1)
        if usedBy ~= '' then usedBy = usedBy .. ',' end
        redis.call('HSET', @key, 'used_by', usedBy .. @node)
        return {'ok', t[3]}
        """);

    public async Task<(string Token, JoinTokenInfo Info)> CreateAsync(string? role, TimeSpan ttl, int uses)
    {
        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var info = new JoinTokenInfo(Id(token), role, uses, time.GetUtcNow() + ttl);
        var key = Key(token);
        var db = redis.Connection.GetDatabase();
        await db.HashSetAsync(key, [
            new("expires_ms", info.ExpiresAt.ToUnixTimeMilliseconds()),
            new("uses_left", uses),
            new("role", role ?? ""),
            new("created_ms", time.GetUtcNow().ToUnixTimeMilliseconds()),
        ]);
        await db.KeyExpireAsync(key, ttl + KeptAfterExpiry);
        return (token, info);
    }

    /// <summary>Uses the token for <paramref name="node"/> when it is known, unexpired, not used up and meant for one of <paramref name="roles"/>.</summary>
    public async Task<JoinTokenCheck> UseAsync(string token, string node, IEnumerable<string> roles)
    {
        var result = (RedisResult[])(await redis.Connection.GetDatabase().ScriptEvaluateAsync(Use, new
        {
            key = (RedisKey)Key(token),
            now = time.GetUtcNow().ToUnixTimeMilliseconds(),
            roles = "," + string.Join(',', roles) + ",",
            node,
        }))!;
        var detail = result[1].ToString();
        return result[0].ToString() switch
        {
            "ok" => new JoinTokenCheck(true, null),
            "expired" => new JoinTokenCheck(false, $"the join token expired at {DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(detail)):u}; create a new one on the lead"),
            "used" => new JoinTokenCheck(false, $"the join token was already used (by {detail}); create a new one on the lead"),
            "role" => new JoinTokenCheck(false, $"the join token is for a node with role {detail}, and this node's roles don't include it"),
            _ => new JoinTokenCheck(false, "the join token is not one this mesh issued; check it, or create a new one on the lead"),
        };
    }

    /// <summary>A short name for a token that can appear in logs: the start of its hash, never the token.</summary>
    public static string Id(string token) => Hash(token)[..8];

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Key(string token) => "aurora:join:" + Hash(token);
}

/// <summary>A join token as the lead reports it (never the token itself).</summary>
internal sealed record JoinTokenInfo(string Id, string? Role, int Uses, DateTimeOffset ExpiresAt);

/// <summary>The outcome of presenting a token: accepted, or refused with a reason the user can act on.</summary>
internal sealed record JoinTokenCheck(bool Accepted, string? Refusal);
