using AuroraNode.Modules.Auth.Keys;
using AuroraNode.Modules.Auth.Sessions;
using AuroraNode.Modules.Auth.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AuroraNode.Modules.Auth.Http;

/// <summary>Checks a request's bearer token: signature and times (<see cref="AccessTokenValidator"/>), then whether its session still lives.</summary>
internal sealed class Authenticator(AccessTokenValidator validator, KeyStore keyStore, SessionLiveness liveness, NodeContext node)
{
    public async Task<(AuthenticatedUser? User, IResult? Refusal)> AuthenticateAsync(HttpContext http, CancellationToken ct)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Unauthorized(http, "this endpoint needs a bearer token: log in with POST /api/v1/auth/login (or `aurora-node login`) and send 'Authorization: Bearer <access_token>'", null));
        }

        if (!keyStore.IsLoaded)
        {
            return (null, Results.Problem($"{node.Name} has not loaded the mesh's signing keys yet; try again shortly", statusCode: StatusCodes.Status503ServiceUnavailable));
        }

        var token = header["Bearer ".Length..].Trim();
        var validation = validator.Validate(token);
        if (validation.Refusal == TokenRefusal.UnknownKeyId)
        {
            // Signed with a key made on another node that this node's replica may not have yet.
            await keyStore.ReloadForUnknownKeyAsync(ct);
            validation = validator.Validate(token);
        }

        if (!validation.IsValid)
        {
            return (null, Unauthorized(http, validation.Refusal switch
            {
                TokenRefusal.Expired => "the access token has expired: get a new one with POST /api/v1/auth/refresh, or log in again",
                TokenRefusal.NotYetValid => "the access token is not valid yet: check this node's clock (NTP)",
                TokenRefusal.UnknownKeyId => "the access token was signed with a key the mesh no longer has: log in again",
                _ => $"the access token was refused ({validation.Refusal}): log in again",
            }, "invalid_token"));
        }

        var claims = validation.Token;
        switch (await liveness.CheckAsync(claims.Subject, claims.SessionId, ct))
        {
            case Liveness.Alive:
                return (new AuthenticatedUser(claims.Subject, claims.SessionId, claims.Roles), null);
            case Liveness.Revoked:
                return (null, Unauthorized(http, "this session has ended (logged out or revoked): log in again", "invalid_token"));
            default:
                return (null, Results.Problem($"{node.Name} cannot check the session: the mesh's Redis does not answer; try again shortly", statusCode: StatusCodes.Status503ServiceUnavailable));
        }
    }

    private static IResult Unauthorized(HttpContext http, string detail, string? error)
    {
        http.Response.Headers[HeaderNames.WWWAuthenticate] = error is null ? "Bearer" : $"Bearer error=\"{error}\"";
        return Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized);
    }
}
