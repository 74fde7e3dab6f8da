namespace AuroraNode.Modules.Credentials;

/// <summary>Why revoking a node now would harm the mesh; checked before the node is revoked.</summary>
/// <param name="Reason">What would break and what to do first, for the user.</param>
/// <param name="Forcible">
/// True when the mesh keeps working, only less safely (e.g. no Redis failover any more), so a user who must cut the
/// node off anyway may (<c>--force</c>); false when the mesh itself would stop (revoking its primary).
/// </param>
public sealed record RevocationRisk(string Reason, bool Forcible);
