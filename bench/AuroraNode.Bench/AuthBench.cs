using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using AuroraNode.Modules.Auth.Passwords;

namespace AuroraNode.Bench;

/// <summary>
/// A lead and a compute node that joined it: login latency on the compute node against the bare password hash
/// every login must pay (in this process), and logout-everywhere — log out on the lead, then how long until the
/// compute node refuses the same token — against a bare Redis PUBLISH → subscriber round trip on the mesh's Redis.
/// </summary>
internal static class AuthBench
{
    private const int Logins = 12;
    private const int Logouts = 30;
    private const int BareRoundTrips = 200;
    private static readonly TimeSpan TargetPropagation = TimeSpan.FromSeconds(1);

    // Every figure logs in dozens of times a minute as one user from one address: more than the default throttle allows.
    private const string Throttle = "auth:\n  login_rate_per_user: 10000\n  login_rate_per_address: 10000";

    public static async Task<IReadOnlyList<Figure>> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        Console.WriteLine($"auth: {Logins} logins on a joined compute node, {Logouts} log-outs on the lead watched from the compute node");
        await using var lead = new NodeProcess(binary, new NodeSetup("lead", "lead", null, Modules: Throttle));
        await lead.StartAsync(ct);
        var joinToken = await FailoverBench.JoinTokenAsync(lead, ct);
        await using var compute = new NodeProcess(binary, new NodeSetup("compute1", "compute", null, lead.Url, joinToken, Modules: Throttle));
        await compute.StartAsync(ct);
        var password = lead.Credential("auth.admin_password")!;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var cpu = new CpuWatch();

        // Logins, against the hash alone with the same parameters (the node does one per login, plus Redis and JSON).
        var hasher = new PasswordHasher(PasswordHashParameters.Owasp);
        var stored = hasher.Hash(password);
        List<double> loginMs = [], hashMs = [];
        await compute.LoginAsync(password, ct); // warm-up
        for (var i = 0; i < Logins; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await compute.LoginAsync(password, ct);
            loginMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            if (!hasher.Verify(password, stored))
            {
                throw new BenchException("the bare hash does not verify its own password");
            }

            hashMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        // Logout on the lead → the compute node refuses the token, polled every millisecond or so.
        List<double> propagationMs = [];
        for (var i = 0; i < Logouts; i++)
        {
            var token = await compute.LoginAsync(password, ct);
            if (await StatusAsync(http, compute, token, ct) != HttpStatusCode.OK)
            {
                throw new BenchException("the compute node refuses a fresh token");
            }

            using (var logout = new HttpRequestMessage(HttpMethod.Post, lead.Url + "/api/v1/auth/logout"))
            {
                logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var answer = await http.SendAsync(logout, ct);
                if (!answer.IsSuccessStatusCode)
                {
                    throw new BenchException($"logout on the lead answered {(int)answer.StatusCode}");
                }
            }

            var loggedOut = Stopwatch.GetTimestamp();
            while (await StatusAsync(http, compute, token, ct) == HttpStatusCode.OK)
            {
                if (Stopwatch.GetElapsedTime(loggedOut) > TimeSpan.FromSeconds(10))
                {
                    throw new BenchException("the compute node still takes a logged-out token after 10 s");
                }
            }

            propagationMs.Add(Stopwatch.GetElapsedTime(loggedOut).TotalMilliseconds);
        }

        var redisPassword = lead.Credential("redis.password");
        await using var bare = await BarePubSub.ConnectAsync($"127.0.0.1:{lead.RedisPort},password={redisPassword}", "aurora:bench:auth");
        List<double> bareMs = [];
        for (var i = 0; i < BareRoundTrips; i++)
        {
            bareMs.Add(await bare.RoundTripAsync($"m{i}", ct));
        }

        var others = cpu.OthersPercent();
        var p = PasswordHashParameters.Owasp;
        var propagation = Spread.Of(propagationMs);
        return
        [
            new Figure($"login on a joined node (PBKDF2-HMAC-SHA256, {p.Iterations:#,0} iterations)", "ms", Spread.Of(loginMs),
                "the same password verification alone, in the benchmark's process", Spread.Of(hashMs), "dominated by the hash", Spread.Of(loginMs).Median < Spread.Of(hashMs).Median * 1.5,
                [$"p99 login {Percentile.Of(loginMs, 99):0} ms; the rest is HTTP, the throttle counters and the session in Redis, and the token"]) { OthersCpuPercent = others },
            new Figure("logout on the lead → token refused on the compute node", "ms", propagation,
                "a bare Redis PUBLISH → subscriber round trip on the mesh's Redis", Spread.Of(bareMs), $"<= {TargetPropagation.TotalMilliseconds:0} ms (p99)", Percentile.Of(propagationMs, 99) <= TargetPropagation.TotalMilliseconds,
                [$"p50 {Percentile.Of(propagationMs, 50):0.0} ms, p99 {Percentile.Of(propagationMs, 99):0.0} ms over {Logouts} log-outs; the compute node drops its cached session on the session_revoked event, and trusts a cached answer for session_check_cache (1 s) at most"])
            {
                OthersCpuPercent = others,
                Samples = new Dictionary<string, IReadOnlyList<double>> { ["propagation_ms"] = propagationMs, ["bare_pubsub_ms"] = bareMs },
            },
        ];
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, NodeProcess node, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, node.Url + "/api/v1/auth/sessions");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }
}
