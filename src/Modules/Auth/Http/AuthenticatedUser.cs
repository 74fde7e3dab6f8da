using AuroraNode.Modules.Auth.Users;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Auth.Http;

/// <summary>Who sent a request whose bearer token and session checked out; set by <see cref="AuthFilters"/>.</summary>
/// <param name="Name">The user (the token's <c>sub</c>).</param>
/// <param name="Sid">The session (the token's <c>sid</c>).</param>
/// <param name="Roles">The roles the token carries.</param>
internal sealed record AuthenticatedUser(string Name, string Sid, IReadOnlyList<string> Roles)
{
    public bool IsAdmin => Roles.Contains(User.AdminRole);

    public static AuthenticatedUser Of(HttpContext http) =>
        http.Features.Get<AuthenticatedUser>() ?? throw new InvalidOperationException("the endpoint has no RequireUser() filter");
}
