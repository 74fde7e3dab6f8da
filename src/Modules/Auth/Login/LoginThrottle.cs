using StackExchange.Redis;
using IRedis = AuroraNode.Modules.Redis.IRedis;

namespace AuroraNode.Modules.Auth.Login;

/// <summary>
/// Login throttling shared by every node through Redis: attempts per username and per client address per minute
/// (fixed windows), and a lockout of a username after <c>login_max_failures</c> failures within <c>login_lockout</c>.
/// Unknown usernames are counted like known ones, so the answers don't tell them apart.
/// </summary>
internal sealed class LoginThrottle(IRedis redis, AuthLimits limits, TimeProvider time)
{
    private IDatabase Db => redis.Connection.GetDatabase();

    /// <summary>How long the caller must wait before trying again, or null when the attempt may go ahead (and is counted).</summary>
    public async Task<TimeSpan?> AdmitAsync(string user, string address, CancellationToken ct)
    {
        var failures = FailuresKey(user);
        var count = await Db.StringGetAsync(failures).WaitAsync(ct);
        if (count.TryParse(out long failed) && failed >= limits.MaxFailures)
        {
            return await Db.KeyTimeToLiveAsync(failures).WaitAsync(ct) ?? limits.Lockout;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var window = now / 60;
        var untilNextWindow = TimeSpan.FromSeconds(60 - (now % 60));
        if (await CountAsync($"aurora:auth:attempts:user:{user}:{window}", ct) > limits.PerUserPerMinute
            || await CountAsync($"aurora:auth:attempts:addr:{address}:{window}", ct) > limits.PerAddressPerMinute)
        {
            return untilNextWindow;
        }

        return null;
    }

    /// <summary>Counts a failed login; true when this failure locked the username.</summary>
    public async Task<bool> FailedAsync(string user, CancellationToken ct)
    {
        var key = FailuresKey(user);
        var failed = await Db.StringIncrementAsync(key).WaitAsync(ct);
        if (failed == 1 || failed == limits.MaxFailures)
        {
            // The window starts at the first failure; reaching the limit restarts it as the lockout.
            await Db.KeyExpireAsync(key, limits.Lockout).WaitAsync(ct);
        }

        return failed == limits.MaxFailures;
    }

    public async Task SucceededAsync(string user, CancellationToken ct) => await Db.KeyDeleteAsync(FailuresKey(user)).WaitAsync(ct);

    private async Task<long> CountAsync(string key, CancellationToken ct)
    {
        var count = await Db.StringIncrementAsync(key).WaitAsync(ct);
        if (count == 1)
        {
            await Db.KeyExpireAsync(key, TimeSpan.FromSeconds(61)).WaitAsync(ct);
        }

        return count;
    }

    private static string FailuresKey(string user) => $"aurora:auth:failures:{user}";
}
