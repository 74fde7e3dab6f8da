using AuroraNode.Modules.Auth.Http;
using AuroraNode.Modules.Auth.Sessions;
using AuroraNode.Modules.Auth.Users;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Auth.Api;

/// <summary>Logout and the list of sessions: for the logged-in user, or any user for an admin.</summary>
internal static class SessionEndpoints
{
    public static async Task<IResult> LogoutAsync(HttpContext http, SessionStore sessions, SessionLiveness liveness, CancellationToken ct)
    {
        var me = AuthenticatedUser.Of(http);
        await sessions.RevokeAsync(me.Name, me.Sid, "logout", ct);
        liveness.Revoked(me.Name, me.Sid);
        return Results.NoContent();
    }

    public static async Task<IResult> LogoutAllAsync(HttpContext http, SessionStore sessions, CancellationToken ct)
    {
        var me = AuthenticatedUser.Of(http);
        return Results.Ok(new { ended = await sessions.RevokeAllAsync(me.Name, "logout-all", ct) });
    }

    public static async Task<IResult> ListAsync(HttpContext http, SessionStore sessions, string? user, CancellationToken ct)
    {
        var me = AuthenticatedUser.Of(http);
        var whose = user is null ? me.Name : UserNames.Normalize(user);
        if (whose != me.Name && !me.IsAdmin)
        {
            return Results.Problem("only an admin may list another user's sessions; leave out ?user= for your own", statusCode: StatusCodes.Status403Forbidden);
        }

        var list = await sessions.ListAsync(whose, ct);
        return Results.Ok(new
        {
            user = whose,
            sessions = list.Select(s => new { sid = s.Sid, node = s.Node, client_address = s.ClientAddress, user_agent = s.UserAgent, created = s.Created, last_seen = s.LastSeen, current = s.Sid == me.Sid }),
        });
    }

    public static async Task<IResult> DeleteAsync(HttpContext http, SessionStore sessions, SessionLiveness liveness, string sid, CancellationToken ct)
    {
        var me = AuthenticatedUser.Of(http);
        var owner = SessionIds.IsValid(sid) ? await sessions.OwnerAsync(sid, ct) : null;
        // Someone else's session is "not found" to a non-admin: its existence is not theirs to learn.
        if (owner is null || (owner != me.Name && !me.IsAdmin) || !await sessions.RevokeAsync(owner, sid, $"ended by {me.Name}", ct))
        {
            return Results.Problem($"no live session {sid} of yours; GET /api/v1/auth/sessions lists them", statusCode: StatusCodes.Status404NotFound);
        }

        liveness.Revoked(owner, sid);
        return Results.NoContent();
    }
}
