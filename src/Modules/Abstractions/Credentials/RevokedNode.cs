namespace AuroraNode.Modules.Credentials;

/// <summary>A node whose connections to the mesh's servers are cut when it is revoked.</summary>
/// <param name="Name">Its name: its clients name themselves after it (Redis client name, PostgreSQL application_name).</param>
/// <param name="Address">Its address, when no other node of the mesh shares it (then connections from there are cut too); else null.</param>
public sealed record RevokedNode(string Name, string? Address);
