using AuroraNode.Modules.Auth.Http;
using AuroraNode.Modules.Auth.Passwords;
using AuroraNode.Modules.Auth.Sessions;
using AuroraNode.Modules.Auth.Users;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Auth.Api;

/// <summary>The users admin: list, create, disable/enable, change roles, delete, set passwords.</summary>
internal static class UserEndpoints
{
    private const int MinPasswordChars = 8;
    private const int MaxPasswordChars = 1024;
    private static readonly string[] KnownRoles = [User.AdminRole, User.UserRole];

    public static async Task<IResult> ListAsync(UserStore users, CancellationToken ct) =>
        Results.Ok(new { users = (await users.ListAsync(ct)).Select(Describe) });

    public static async Task<IResult> CreateAsync(CreateUserRequest? request, UserStore users, PasswordHasher hasher, CancellationToken ct)
    {
        var name = request?.Username ?? "";
        if (!UserNames.Valid().IsMatch(name))
        {
            return AuthApi.BadRequest($"\"username\" must be {UserNames.Rule}; got '{name}'");
        }

        if (PasswordProblem(request!.Password) is { } problem)
        {
            return AuthApi.BadRequest(problem);
        }

        if (RolesProblem(request.Roles) is { } bad)
        {
            return AuthApi.BadRequest(bad);
        }

        var created = await users.CreateAsync(name, hasher.Hash(request.Password!), request.Roles?.Distinct().ToArray() is { Length: > 0 } roles ? roles : [User.UserRole], ct);
        return created is null
            ? Results.Problem($"a user named '{name}' exists already; PATCH /api/v1/auth/users/{name} changes it", statusCode: StatusCodes.Status409Conflict)
            : Results.Created($"/api/v1/auth/users/{name}", Describe(created));
    }

    public static async Task<IResult> UpdateAsync(string name, UpdateUserRequest? request, UserStore users, SessionStore sessions, CancellationToken ct)
    {
        if (request?.Disabled is null && request?.Roles is null)
        {
            return AuthApi.BadRequest("the body needs \"disabled\" (true or false) and/or \"roles\" (a list of admin, user)");
        }

        if (RolesProblem(request.Roles) is { } bad)
        {
            return AuthApi.BadRequest(bad);
        }

        name = UserNames.Normalize(name);
        var roles = request.Roles?.Distinct().ToArray();
        if (await users.FindAsync(name, ct, fresh: true) is not { } user)
        {
            return NotFound(name);
        }

        var staysAdmin = request.Disabled != true && (roles ?? user.Roles).Contains(User.AdminRole);
        if (user.IsAdmin && !user.Disabled && !staysAdmin && await IsLastAdminAsync(users, name, ct))
        {
            return Results.Problem($"'{name}' is the last enabled admin: make another user admin first", statusCode: StatusCodes.Status409Conflict);
        }

        var updated = await users.UpdateAsync(name, request.Disabled, roles, ct);
        if (updated is null)
        {
            return NotFound(name);
        }

        // Tokens carry the roles and a disabled user must be out now: end every session.
        if (updated.Disabled || roles is not null)
        {
            await sessions.RevokeAllAsync(name, updated.Disabled ? "user disabled" : "roles changed", ct);
        }

        return Results.Ok(Describe(updated));
    }

    public static async Task<IResult> DeleteAsync(string name, UserStore users, SessionStore sessions, CancellationToken ct)
    {
        name = UserNames.Normalize(name);
        if (await users.FindAsync(name, ct, fresh: true) is not { } user)
        {
            return NotFound(name);
        }

        if (user.IsAdmin && !user.Disabled && await IsLastAdminAsync(users, name, ct))
        {
            return Results.Problem($"'{name}' is the last enabled admin: make another user admin first", statusCode: StatusCodes.Status409Conflict);
        }

        if (!await users.DeleteAsync(name, ct))
        {
            return NotFound(name);
        }

        await sessions.RevokeAllAsync(name, "user deleted", ct);
        return Results.NoContent();
    }

    public static async Task<IResult> SetPasswordAsync(string name, PasswordRequest? request, HttpContext http, UserStore users, PasswordHasher hasher, SessionStore sessions, CancellationToken ct)
    {
        var me = AuthenticatedUser.Of(http);
        name = UserNames.Normalize(name);
        if (name != me.Name && !me.IsAdmin)
        {
            return Results.Problem("only an admin may set another user's password", statusCode: StatusCodes.Status403Forbidden);
        }

        if (PasswordProblem(request?.Password) is { } problem)
        {
            return AuthApi.BadRequest(problem);
        }

        if (await users.FindAsync(name, ct, fresh: true) is not { } user)
        {
            return NotFound(name);
        }

        // A stolen access token alone must not be enough to take the account over.
        if (!me.IsAdmin && (request!.CurrentPassword is not { Length: > 0 and <= MaxPasswordChars } current || !hasher.Verify(current, user.PasswordHash)))
        {
            return Results.Problem("\"current_password\" is missing or wrong", statusCode: StatusCodes.Status403Forbidden);
        }

        await users.SetPasswordAsync(name, hasher.Hash(request!.Password!), ct);
        var ended = await sessions.RevokeAllAsync(name, "password changed", ct, except: name == me.Name ? me.Sid : null);
        return Results.Ok(new { user = name, sessions_ended = ended });
    }

    private static async Task<bool> IsLastAdminAsync(UserStore users, string name, CancellationToken ct) =>
        !(await users.ListAsync(ct)).Any(u => u.Username != name && u.IsAdmin && !u.Disabled);

    private static string? PasswordProblem(string? password) => password is { Length: >= MinPasswordChars and <= MaxPasswordChars }
        ? null
        : $"\"password\" must be {MinPasswordChars} to {MaxPasswordChars} characters";

    private static string? RolesProblem(string[]? roles) => roles?.FirstOrDefault(r => !KnownRoles.Contains(r)) is { } unknown
        ? $"unknown role '{unknown}' in \"roles\"; use admin or user"
        : null;

    private static IResult NotFound(string name) =>
        Results.Problem($"no user named '{name}'; GET /api/v1/auth/users lists them", statusCode: StatusCodes.Status404NotFound);

    private static object Describe(User u) => new
    {
        username = u.Username,
        roles = u.Roles,
        disabled = u.Disabled,
        created_at = DateTime.SpecifyKind(u.CreatedAt, DateTimeKind.Utc),
        updated_at = DateTime.SpecifyKind(u.UpdatedAt, DateTimeKind.Utc),
        password_changed_at = DateTime.SpecifyKind(u.PasswordChangedAt, DateTimeKind.Utc),
    };
}
