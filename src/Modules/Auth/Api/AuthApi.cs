using AuroraNode.Modules.Auth.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AuroraNode.Modules.Auth.Api;

/// <summary>
/// Every endpoint of the auth module. Like every endpoint of the node they need a caller (a user's token or a
/// node's signature), except the public keys, login and refresh.
/// </summary>
internal static class AuthApi
{
    public static void MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/jwks.json", KeyEndpoints.Jwks).AllowAnonymous();

        var auth = app.MapGroup("/api/v1/auth")
            .AddEndpointFilter<UnavailableFilter>()
            .WithMetadata(new AuthBodyLimit());

        auth.MapPost("/login", LoginEndpoints.LoginAsync).AllowAnonymous();
        auth.MapPost("/refresh", LoginEndpoints.RefreshAsync).AllowAnonymous();
        auth.MapPost("/logout", SessionEndpoints.LogoutAsync).RequireUser();
        auth.MapPost("/logout-all", SessionEndpoints.LogoutAllAsync).RequireUser();
        auth.MapGet("/sessions", SessionEndpoints.ListAsync).RequireUser();
        auth.MapDelete("/sessions/{sid}", SessionEndpoints.DeleteAsync).RequireUser();
        auth.MapPost("/rotate-keys", KeyEndpoints.RotateAsync).RequireAdmin();

        var users = auth.MapGroup("/users");
        users.MapGet("", UserEndpoints.ListAsync).RequireAdmin();
        users.MapPost("", UserEndpoints.CreateAsync).RequireAdmin();
        users.MapPatch("/{name}", UserEndpoints.UpdateAsync).RequireAdmin();
        users.MapDelete("/{name}", UserEndpoints.DeleteAsync).RequireAdmin();
        // An admin sets anyone's password; a user changes their own (with the current one).
        users.MapPost("/{name}/password", UserEndpoints.SetPasswordAsync).RequireUser();

        app.MapPost("/api/v1/nodes/{name}/revoke", NodeKeyEndpoints.RevokeAsync).AddEndpointFilter<UnavailableFilter>().RequireAdmin();
    }

    internal static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    internal static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
