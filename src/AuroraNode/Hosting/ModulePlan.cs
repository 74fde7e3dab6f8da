using AuroraNode.Modules;

namespace AuroraNode.Hosting;

/// <summary>Whether a module loads on this node, and why not when it doesn't.</summary>
internal sealed record ModulePlan(IAuroraModule Module, bool Loaded, string? Reason)
{
    public string Name => Module.Name;

    public static ModulePlan For(IAuroraModule module, bool enabled, NodeContext node) =>
        !enabled ? new ModulePlan(module, false, $"disabled by modules.{module.Name}.enabled")
        : !node.HasAnyRole(module.Roles) ? new ModulePlan(module, false, $"not for roles {string.Join(", ", node.Roles.Select(r => r.ToConfigName()))}")
        : new ModulePlan(module, true, null);
}
