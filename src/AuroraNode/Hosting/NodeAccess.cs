using System.Net;
using AuroraNode.Configuration;
using AuroraNode.Modules.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace AuroraNode.Hosting;

/// <summary>
/// Who may call what: every endpoint needs a caller unless it is marked <c>AllowAnonymous</c>, and the policies of
/// <see cref="AccessPolicies"/> narrow that. The auth module says who the caller is; without it nothing but the
/// anonymous endpoints answers (fail closed).
/// </summary>
internal static class NodeAccess
{
    public static void AddNodeAccess(this IServiceCollection services, NodeConfig config)
    {
        if (!config.Modules.Any(p => p.Loaded && p.Name == "auth"))
        {
            services.AddAuthentication(AccessPolicies.Scheme).AddScheme<AuthenticationSchemeOptions, NoAuthModuleHandler>(AccessPolicies.Scheme, null);
        }

        var allow = config.Settings.Api.MetricsAllow;
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(AccessPolicies.Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy(AccessPolicies.Admin, p => p.AddAuthenticationSchemes(AccessPolicies.Scheme).RequireRole(AccessPolicies.AdminRole))
            .AddPolicy(AccessPolicies.NodeOrAdmin, p => p.AddAuthenticationSchemes(AccessPolicies.Scheme).RequireRole(AccessPolicies.NodeRole, AccessPolicies.AdminRole))
            .AddPolicy(AccessPolicies.Node, p => p.AddAuthenticationSchemes(AccessPolicies.Scheme).RequireRole(AccessPolicies.NodeRole))
            .AddPolicy(AccessPolicies.Metrics, p => p.AddAuthenticationSchemes(AccessPolicies.Scheme).RequireAssertion(context =>
                context.User.Identity?.IsAuthenticated == true || (context.Resource is HttpContext http && Allowed(http.Connection.RemoteIpAddress, allow))));
    }

    public static bool Allowed(IPAddress? remote, IReadOnlyList<IPNetwork> allow)
    {
        if (remote is null)
        {
            return false;
        }

        remote = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return allow.Any(n => n.Contains(remote));
    }
}
