namespace AuroraNode.Modules.Credentials;

/// <summary>A rotation step could not change the mesh's main server; the message says why and what to do.</summary>
public sealed class MeshRotationException(string message, Exception? inner = null) : Exception(message, inner);
