using System.Security.Claims;
using System.Text.Encodings.Web;
using AuroraNode.Modules.Auth.Nodes;
using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AuroraNode.Modules.Auth.Http;

/// <summary>
/// Who is calling: a user with a bearer access token whose session lives (<see cref="Authenticator"/>), or a node
/// with a signed request (<see cref="NodeAuthenticator"/>). The endpoints' policies (<see cref="AccessPolicies"/>)
/// then decide; a refusal is answered with the reason the check found.
/// </summary>
internal sealed class CallerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    Authenticator users,
    NodeAuthenticator nodes,
    NodeContext node)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    private IResult? _refusal;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0 || Context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return AuthenticateResult.NoResult();
        }

        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var (user, refusal) = await users.AuthenticateAsync(Context, Context.RequestAborted);
            if (user is null)
            {
                return Refuse(refusal!);
            }

            Context.Features.Set(user);
            var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new("sid", user.Sid) };
            claims.AddRange(user.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
            return Success(claims, "user");
        }

        if (header.StartsWith(NodeSignature.Scheme + " ", StringComparison.Ordinal))
        {
            var (caller, refusal) = await nodes.AuthenticateAsync(Context, header[(NodeSignature.Scheme.Length + 1)..], Context.RequestAborted);
            if (caller is null)
            {
                return Refuse(refusal!);
            }

            List<Claim> claims = [new(ClaimTypes.Name, caller.IsSelf ? $"operator of {caller.Name}" : $"node {caller.Name}"), new(AccessPolicies.NodeClaim, caller.Name), new(ClaimTypes.Role, AccessPolicies.NodeRole)];
            if (caller.IsSelf)
            {
                claims.Add(new Claim(ClaimTypes.Role, AccessPolicies.AdminRole));
            }

            return Success(claims, "node");
        }

        return Refuse(Unauthorized("the Authorization header must be 'Bearer <access_token>' (a user) or 'AuroraNode ...' (a node's signed request)"));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties) =>
        await (_refusal ?? Unauthorized($"this endpoint of {node.Name} needs a caller: log in with POST /api/v1/auth/login (or `aurora-node login`) and send 'Authorization: Bearer <access_token>'")).ExecuteAsync(Context);

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Results.Problem($"{Context.User.Identity?.Name} may not do this: it needs an admin (a user with the admin role, or the node's own operator)", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);

    private AuthenticateResult Success(IEnumerable<Claim> claims, string kind) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, kind)), Scheme.Name));

    private AuthenticateResult Refuse(IResult refusal)
    {
        _refusal = refusal;
        return AuthenticateResult.Fail("refused");
    }

    private IResult Unauthorized(string detail)
    {
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized);
    }
}
