namespace AuroraNode.Modules;

/// <summary>What a machine is for in the mesh; a node may have several.</summary>
public enum NodeRole
{
    /// <summary>Cloud lead: primary database, registry, origin of assets.</summary>
    Lead,

    /// <summary>Synchronous standby of the lead, takes over when it fails.</summary>
    Backup,

    /// <summary>GPU or CPU workstation that runs inference and training.</summary>
    Compute,

    /// <summary>Laptop or small device: a replica and a client.</summary>
    Edge,
}

/// <summary>Role sets used by module manifests.</summary>
public static class NodeRoles
{
    /// <summary>Every role.</summary>
    public static readonly IReadOnlySet<NodeRole> All = new HashSet<NodeRole>(Enum.GetValues<NodeRole>());

    /// <summary>The lead and the backup, the nodes that carry the mesh's shared services.</summary>
    public static readonly IReadOnlySet<NodeRole> Core = new HashSet<NodeRole> { NodeRole.Lead, NodeRole.Backup };

    /// <summary>The config spelling of a role (<c>lead</c>, <c>backup</c>, ...).</summary>
    public static string ToConfigName(this NodeRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Parses a config spelling of a role; false when it names no role.</summary>
    public static bool TryParse(string text, out NodeRole role) =>
        Enum.TryParse(text.Trim(), ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(text, out _);
}
