namespace AuroraNode.Modules.Security;

/// <summary>
/// Who may call an endpoint. Every endpoint needs a caller — a logged-in user or a node signing its requests —
/// unless it says <c>.AllowAnonymous()</c>; these policies narrow it further with <c>.RequireAuthorization(name)</c>.
/// </summary>
public static class AccessPolicies
{
    /// <summary>The authentication scheme every endpoint is checked with (the auth module's, or a refusing one when it is off).</summary>
    public const string Scheme = "aurora";

    /// <summary>Admins only: users with the admin role, and the node's own operator (requests signed with this node's key).</summary>
    public const string Admin = "admin";

    /// <summary>Another node of the mesh (a signed request) or an admin: what nodes send each other, like registrations.</summary>
    public const string NodeOrAdmin = "node-or-admin";

    /// <summary>Another node of the mesh only (a request it signed, not revoked): what only nodes may fetch, like the mesh's passwords.</summary>
    public const string Node = "node-only";

    /// <summary><c>/metrics</c>: any caller, or anyone from an address in <c>api.metrics_allow</c>.</summary>
    public const string Metrics = "metrics";

    /// <summary>The role claim of a user with the admin role (users carry their own roles too).</summary>
    public const string AdminRole = "admin";

    /// <summary>The role claim of a request another node signed.</summary>
    public const string NodeRole = "node";

    /// <summary>The claim that names the node that signed a request.</summary>
    public const string NodeClaim = "aurora:node";
}
