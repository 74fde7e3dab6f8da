namespace AuroraNode.Modules.Health;

/// <summary>The state of every module loaded on this node, for modules that report on the node (health reports).</summary>
public interface IModuleStates
{
    /// <summary>Module name to state (null for a module not loaded here), from a recent round of health checks.</summary>
    Task<IReadOnlyDictionary<string, ModuleState?>> ReadAsync(CancellationToken ct);
}
