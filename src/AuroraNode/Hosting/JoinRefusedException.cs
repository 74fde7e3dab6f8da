namespace AuroraNode.Hosting;

/// <summary>The node can't join the mesh until a person acts (a new token, another name): restarting won't help.</summary>
internal sealed class JoinRefusedException(string message) : Exception(message);
