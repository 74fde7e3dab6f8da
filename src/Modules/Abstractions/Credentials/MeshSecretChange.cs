namespace AuroraNode.Modules.Credentials;

/// <summary>A rotation of the mesh's shared passwords: what the servers accept now and what they accept from now on.</summary>
/// <param name="Old">The values before the rotation (the revoked node has these).</param>
/// <param name="Next">The values after it.</param>
public sealed record MeshSecretChange(MeshSecrets Old, MeshSecrets Next)
{
    /// <summary>True when <paramref name="key"/> gets a new value.</summary>
    public bool Changes(string key) => Next[key] is { } next && next != Old[key];
}
