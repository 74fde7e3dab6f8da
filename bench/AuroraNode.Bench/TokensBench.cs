using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Auth.Passwords;
using AuroraNode.Modules.Auth.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuroraNode.Bench;

/// <summary>
/// In-process, one thread: the Auth module's ES256 token validation and creation against Microsoft's
/// JsonWebTokenHandler on the same tokens and key, and against the bare ECDSA P-256 verification they both do;
/// the PBKDF2 hash behind every login against the bare Rfc2898DeriveBytes call.
/// </summary>
internal static class TokensBench
{
    private const int Rounds = 5;
    private const int DistinctTokens = 2_000;
    private const double TargetPerSecond = 100_000;
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(1);

    public static async Task<IReadOnlyList<Figure>> RunAsync(NodeBinary node, CancellationToken ct)
    {
        Console.WriteLine($"tokens: one thread, {Rounds} rounds of {Round.TotalSeconds:0} s per figure, ours and the peer alternating");
        var time = TimeProvider.System;
        var settings = new AccessTokenSettings("aurora-bench", "aurora-api", TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(30));
        var keys = new SigningKeys(time);
        var issuer = new AccessTokenIssuer(keys, settings, time);
        var uncached = new AccessTokenValidator(keys, settings, time, cacheCapacity: 0);
        var cached = new AccessTokenValidator(keys, settings, time, cacheCapacity: DistinctTokens * 2);
        var tokens = Enumerable.Range(0, DistinctTokens).Select(i => issuer.Issue($"user-{i}", $"session-{i}", ["user"]).Token).ToArray();
        var length = tokens[0].Length;

        // The peer: the same public key, issuer, audience and algorithm, as an ASP.NET Core JwtBearer setup would pass them.
        using var publicKey = ECDsa.Create(keys.Current.Algorithm.ExportParameters(includePrivateParameters: false));
        var handler = new JsonWebTokenHandler();
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = new ECDsaSecurityKey(publicKey) { KeyId = keys.Current.KeyId },
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ClockSkew = settings.ClockSkew,
        };
        var signingKey = new SigningCredentials(new ECDsaSecurityKey(keys.Current.Algorithm) { KeyId = keys.Current.KeyId }, SecurityAlgorithms.EcdsaSha256);
        if (!uncached.Validate(tokens[0]).IsValid || !(await handler.ValidateTokenAsync(tokens[0], parameters)).IsValid)
        {
            throw new BenchException("the benchmark's token does not validate on both sides");
        }

        // The bare verification: what both validators must do once per token.
        var inputs = tokens.Select(t => Encoding.ASCII.GetBytes(t, 0, t.LastIndexOf('.'))).ToArray();
        var signatures = tokens.Select(t => System.Buffers.Text.Base64Url.DecodeFromChars(t.AsSpan(t.LastIndexOf('.') + 1))).ToArray();

        List<double> ours = [], oursCached = [], peer = [], raw = [], create = [], peerCreate = [];
        var invalid = 0;
        for (var round = 0; round <= Rounds; round++)
        {
            ct.ThrowIfCancellationRequested();
            var duration = round == 0 ? Round / 2 : Round; // round 0 warms up (JIT tiering) and is not counted
            var a = Throughput.Measure(i => invalid += uncached.Validate(tokens[i % DistinctTokens]).IsValid ? 0 : 1, duration);
            var b = await Throughput.MeasureAsync(async i => invalid += (await handler.ValidateTokenAsync(tokens[i % DistinctTokens], parameters)).IsValid ? 0 : 1, duration);
            var c = Throughput.Measure(i => invalid += keys.Current.Algorithm.VerifyData(inputs[i % DistinctTokens], signatures[i % DistinctTokens], HashAlgorithmName.SHA256) ? 0 : 1, duration);
            var d = Throughput.Measure(i => invalid += cached.Validate(tokens[i % DistinctTokens]).IsValid ? 0 : 1, duration);
            var e = Throughput.Measure(i => issuer.Issue("user", $"session-{i}", ["user"]), duration);
            var f = Throughput.Measure(i => handler.CreateToken(Descriptor(settings, signingKey, i, time)), duration);
            if (round > 0)
            {
                ours.Add(a);
                peer.Add(b);
                raw.Add(c);
                oursCached.Add(d);
                create.Add(e);
                peerCreate.Add(f);
                Console.WriteLine($"  round {round}: validate {a:0}/s (cached {d:0}/s), JsonWebTokenHandler {b:0}/s, bare ECDSA verify {c:0}/s; create {e:0}/s, JsonWebTokenHandler {f:0}/s");
            }
        }

        if (invalid > 0)
        {
            throw new BenchException($"{invalid} validations failed during the benchmark");
        }

        var hasher = new PasswordHasher();
        var p = hasher.Parameters;
        var salt = RandomNumberGenerator.GetBytes(p.SaltBytes);
        List<double> hashMs = [], bareMs = [];
        hasher.Hash("warm-up");
        for (var i = 0; i < Rounds; i++)
        {
            hashMs.AddRange(Throughput.Time(() => hasher.Hash("correct horse battery staple"), 1));
            bareMs.AddRange(Throughput.Time(() => Rfc2898DeriveBytes.Pbkdf2("correct horse battery staple", salt, p.Iterations, HashAlgorithmName.SHA256, p.KeyBytes), 1));
        }

        var stored = hasher.Hash("x");
        var verifyMs = Throughput.Time(() => hasher.Verify("correct horse battery staple", stored), 3);
        var dummyMs = Throughput.Time(() => hasher.DummyVerify("correct horse battery staple"), 3);
        string[] context = [$"token length {length} characters (ES256, kid header, 9 claims); {DistinctTokens} distinct tokens cycled",
            $"one thread on this machine ({Environment.ProcessorCount} cores); 'per core' = this figure"];
        return
        [
            new Figure("token validations/s, each verified (no cache)", "/s", Spread.Of(ours),
                "Microsoft.IdentityModel.JsonWebTokens 8.23.0 JsonWebTokenHandler.ValidateTokenAsync, same tokens and key",
                Spread.Of(peer), $">= {TargetPerSecond:#,0}/s", Spread.Of(ours).Median >= TargetPerSecond,
                [.. context, $"bare ECDsa.VerifyData (P-256, SHA-256) on the same signing inputs: {Spread.Of(raw).Format("/s")}; ours is {Spread.Of(ours).Median / Spread.Of(raw).Median:0.00} of it"]),
            new Figure("token validations/s, repeated tokens (verified-token cache)", "/s", Spread.Of(oursCached),
                "the same JsonWebTokenHandler rounds (it has no such cache)",
                Spread.Of(peer), $">= {TargetPerSecond:#,0}/s", Spread.Of(oursCached).Median >= TargetPerSecond,
                [.. context, "each client sends the same token with every request; times, and the key still being in the set, are checked on every use"]),
            new Figure("validation against the bare ECDSA verify", "/s", Spread.Of(ours),
                "ECDsa.VerifyData alone (.NET on OpenSSL) on the same signing inputs and signatures: the ceiling without a cache",
                Spread.Of(raw), "—", null, ["the difference is base64url, the header and claims JSON, and the checks"]),
            new Figure("token creations/s", "/s", Spread.Of(create),
                "JsonWebTokenHandler.CreateToken with an ECDsaSecurityKey (ES256) and the same claims",
                Spread.Of(peerCreate), "—", null, [.. context]),
            new Figure($"password hash (PBKDF2-HMAC-SHA256, {p.Iterations:#,0} iterations, {p.SaltBytes}-byte salt, {p.KeyBytes}-byte key)", "ms",
                Spread.Of(hashMs), "Rfc2898DeriveBytes.Pbkdf2 alone with the same parameters", Spread.Of(bareMs), "—", null,
                [$"the login latency floor: every login with a password pays one; a verification {Spread.Of(verifyMs).Format("ms")}, the dummy verification for unknown users {Spread.Of(dummyMs).Format("ms")}"]),
        ];
    }

    private static SecurityTokenDescriptor Descriptor(AccessTokenSettings settings, SigningCredentials credentials, int i, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "user"), new Claim("sid", $"session-{i}"), new Claim("roles", "user"), new Claim("jti", Guid.NewGuid().ToString("N"))]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + settings.Lifetime,
            SigningCredentials = credentials,
        };
    }
}
