namespace AuroraNode.Modules.Registry;

/// <summary>The <c>modules.registry</c> section.</summary>
/// <param name="HeartbeatInterval">How often this node says it is alive.</param>
/// <param name="WarningAfter">Silent this long: status <c>warning</c>.</param>
/// <param name="OfflineAfter">Silent this long: status <c>offline</c>.</param>
/// <param name="PruneAfter">Offline this long: removed from the registry (by the lead).</param>
internal sealed record RegistryOptions(TimeSpan HeartbeatInterval, TimeSpan WarningAfter, TimeSpan OfflineAfter, TimeSpan PruneAfter);
