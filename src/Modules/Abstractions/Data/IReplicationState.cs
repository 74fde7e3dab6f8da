namespace AuroraNode.Modules.Data;

/// <summary>Where this node's PostgreSQL stands in the mesh's replication, for modules that report on the node.</summary>
public interface IReplicationState
{
    /// <summary>How far this node's replica is behind its primary, in seconds; null on a primary or while unknown.</summary>
    Task<double?> LagSecondsAsync(CancellationToken ct);

    /// <summary>What the node's PostgreSQL is now: <c>primary</c> or <c>replica</c>; null while it does not answer.</summary>
    Task<string?> RoleAsync(CancellationToken ct);
}
