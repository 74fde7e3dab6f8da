using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Auth.Http;

/// <summary>
/// What the auth endpoints need beyond any caller: a logged-in user (a session of their own to end or list), or
/// an admin; the user is then <see cref="AuthenticatedUser.Of"/>.
/// </summary>
internal static class AuthFilters
{
    public static TBuilder RequireUser<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AddEndpointFilter((context, next) =>
            context.HttpContext.Features.Get<AuthenticatedUser>() is null
                ? ValueTask.FromResult<object?>(Results.Problem($"{context.HttpContext.User.Identity?.Name ?? "the caller"} is not a logged-in user: this needs a user's access token (POST /api/v1/auth/login)", statusCode: StatusCodes.Status403Forbidden))
                : next(context));

    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(AccessPolicies.Admin);
}
