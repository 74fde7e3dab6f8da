using System.Globalization;
using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Auth.Login;
using AuroraNode.Modules.Auth.Passwords;
using AuroraNode.Modules.Auth.Refresh;
using AuroraNode.Modules.Auth.Sessions;
using AuroraNode.Modules.Auth.Tokens;
using AuroraNode.Modules.Auth.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AuroraNode.Modules.Auth.Api;

/// <summary>Login and refresh: the two endpoints that hand out tokens.</summary>
internal static class LoginEndpoints
{
    private const string WrongCredentials = "wrong username or password";
    private const int MaxPasswordChars = 1024;

    public static async Task<IResult> LoginAsync(
        LoginRequest? request,
        HttpContext http,
        UserStore users,
        PasswordHasher hasher,
        LoginThrottle throttle,
        SecurityEvents security,
        SessionStore sessions,
        AccessTokenIssuer issuer,
        KeyStore keys,
        AuthOptions options,
        NodeContext node,
        CancellationToken ct)
    {
        if (request?.Username is not { Length: > 0 and <= 64 } || request.Password is not { Length: > 0 and <= MaxPasswordChars })
        {
            return AuthApi.BadRequest($"the body needs \"username\" (up to 64 characters) and \"password\" (up to {MaxPasswordChars})");
        }

        if (!keys.IsLoaded)
        {
            return Results.Problem($"{node.Name} has not loaded the mesh's signing keys yet; try again shortly", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var name = UserNames.Normalize(request.Username);
        var client = AuthApi.ClientAddress(http);
        if (await throttle.AdmitAsync(name, client, ct) is { } wait)
        {
            http.Response.Headers[HeaderNames.RetryAfter] = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Results.Problem($"too many login attempts for this user or from this address: try again in {Math.Ceiling(wait.TotalSeconds):0} s", statusCode: StatusCodes.Status429TooManyRequests);
        }

        // Unknown and disabled users cost a full verification too: the answer and its timing don't tell them apart.
        var user = await users.FindAsync(name, ct);
        var verified = user is null ? Dummy(hasher, request.Password) : hasher.Verify(request.Password, user.PasswordHash);
        if (!verified || user is null || user.Disabled)
        {
            var locked = await throttle.FailedAsync(name, ct);
            await security.RaiseAsync("login_failed", "warning", name, client, user is null ? "unknown user" : user.Disabled ? "user is disabled" : "wrong password", ct);
            if (locked)
            {
                await security.RaiseAsync("login_lockout", "critical", name, client, "too many failed logins: the username is locked for a while", ct);
            }

            return Results.Problem(WrongCredentials, statusCode: StatusCodes.Status401Unauthorized);
        }

        await throttle.SucceededAsync(name, ct);
        if (hasher.NeedsRehash(user.PasswordHash))
        {
            await users.SetPasswordAsync(name, hasher.Hash(request.Password), ct);
        }

        var (sid, refresh) = await sessions.StartAsync(name, client, http.Request.Headers.UserAgent.ToString(), ct);
        var access = issuer.Issue(name, sid, user.Roles);
        return Results.Ok(new TokenResponse(access.Token, refresh, "Bearer", (int)options.AccessTokenTtl.TotalSeconds));
    }

    public static async Task<IResult> RefreshAsync(
        RefreshRequest? request,
        HttpContext http,
        SessionStore sessions,
        UserStore users,
        SecurityEvents security,
        AccessTokenIssuer issuer,
        KeyStore keys,
        AuthOptions options,
        NodeContext node,
        CancellationToken ct)
    {
        if (!RefreshToken.TryParse(request?.RefreshToken, out var sid, out var secret))
        {
            return AuthApi.BadRequest("the body needs the \"refresh_token\" that login (or the last refresh) returned");
        }

        if (!keys.IsLoaded)
        {
            return Results.Problem($"{node.Name} has not loaded the mesh's signing keys yet; try again shortly", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var decision = await sessions.RefreshAsync(sid, secret, ct);
        switch (decision?.Outcome)
        {
            case RefreshOutcome.Rotated:
                var family = decision.Family;
                var user = await users.FindAsync(family.UserId, ct);
                if (user is null || user.Disabled)
                {
                    await sessions.RevokeAsync(family.UserId, sid, "user disabled or deleted", ct);
                    return Unauthorized("the user of this session is disabled or deleted");
                }

                var access = issuer.Issue(user.Username, sid, user.Roles);
                return Results.Ok(new TokenResponse(access.Token, RefreshToken.Compose(sid, decision.NewToken!), "Bearer", (int)options.AccessTokenTtl.TotalSeconds));
            case RefreshOutcome.ConcurrentRefresh:
                return Results.Problem("this refresh token was replaced a moment ago by a concurrent refresh: use the tokens that request received", statusCode: StatusCodes.Status409Conflict);
            case RefreshOutcome.ReuseDetected:
                await sessions.RevokeAsync(decision.Family.UserId, sid, "refresh token reused", ct);
                await security.RaiseAsync("refresh_reuse", "critical", decision.Family.UserId, AuthApi.ClientAddress(http), $"a replaced refresh token of session {sid} was presented again: the session is revoked", ct);
                return Unauthorized("this refresh token was already used, so it may have been stolen: the session is ended; log in again");
            case RefreshOutcome.Expired:
                return Unauthorized("the refresh token has expired: log in again");
            case RefreshOutcome.Revoked:
                return Unauthorized("this session has ended (logged out or revoked): log in again");
            default:
                return Unauthorized("unknown refresh token: log in again");
        }
    }

    private static IResult Unauthorized(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized);

    private static bool Dummy(PasswordHasher hasher, string password)
    {
        hasher.DummyVerify(password);
        return false;
    }
}
