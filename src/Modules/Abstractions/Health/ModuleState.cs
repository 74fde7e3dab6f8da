namespace AuroraNode.Modules.Health;

/// <summary>The state of a loaded module, as shown by <c>GET /api/v1/node</c> and <c>aurora-node status</c>.</summary>
public enum ModuleState
{
    /// <summary>Still getting ready (e.g. PostgreSQL running initdb).</summary>
    Starting,

    /// <summary>Working.</summary>
    Running,

    /// <summary>Working with a problem (e.g. a dependency is reconnecting).</summary>
    Degraded,

    /// <summary>Not working.</summary>
    Failed,

    /// <summary>Stopped on purpose.</summary>
    Stopped,
}
