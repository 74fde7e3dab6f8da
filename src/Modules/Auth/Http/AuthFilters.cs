using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules.Auth.Http;

/// <summary>Endpoint filters that let only logged-in users (or admins) through; the user is then <see cref="AuthenticatedUser.Of"/>.</summary>
internal static class AuthFilters
{
    public static TBuilder RequireUser<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AddEndpointFilter((context, next) => CheckAsync(context, next, admin: false));

    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.AddEndpointFilter((context, next) => CheckAsync(context, next, admin: true));

    private static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, bool admin)
    {
        var http = context.HttpContext;
        var (user, refusal) = await http.RequestServices.GetRequiredService<Authenticator>().AuthenticateAsync(http, http.RequestAborted);
        if (user is null)
        {
            return refusal;
        }

        if (admin && !user.IsAdmin)
        {
            return Results.Problem($"'{user.Name}' is not an admin: this needs a user with the admin role", statusCode: StatusCodes.Status403Forbidden);
        }

        http.Features.Set(user);
        return await next(context);
    }
}
