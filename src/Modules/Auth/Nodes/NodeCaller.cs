namespace AuroraNode.Modules.Auth.Nodes;

/// <summary>A node whose signed request checked out.</summary>
/// <param name="Name">The node that signed.</param>
/// <param name="IsSelf">Signed with this node's own key: its operator (the CLI on its machine), who is an admin here.</param>
internal sealed record NodeCaller(string Name, bool IsSelf);
