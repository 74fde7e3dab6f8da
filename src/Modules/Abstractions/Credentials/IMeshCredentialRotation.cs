namespace AuroraNode.Modules.Credentials;

/// <summary>Rotates the mesh's shared passwords after a node was revoked, and tells every node to fetch the new ones.</summary>
public interface IMeshCredentialRotation
{
    /// <summary>
    /// What revoking <paramref name="revokedNode"/> now would break (this node itself, the mesh's primary, the Sentinels
    /// a Redis failover needs): asked before the node is revoked, so that a refused revocation changes nothing.
    /// </summary>
    Task<IReadOnlyList<RevocationRisk>> RisksAsync(string revokedNode, CancellationToken ct);

    /// <summary>
    /// Rotates every <see cref="IMeshSecretHolder"/>, cuts <paramref name="revokedNode"/>'s connections and publishes
    /// <see cref="MeshSecrets.RotatedEvent"/>. Throws <see cref="MeshRotationException"/> when nothing could be rotated
    /// (or another rotation is running); the revocation stands and can be repeated to retry. A node whose rotation
    /// already finished is not rotated again (<see cref="MeshRotationReport.AlreadyRotated"/>); one whose rotation is
    /// pending (<see cref="PendingRotation"/>) is finished instead.
    /// </summary>
    Task<MeshRotationReport> RotateAsync(string revokedNode, CancellationToken ct);
}

/// <summary>What a rotation did.</summary>
/// <param name="Version">The new version of the mesh's secrets.</param>
/// <param name="Rotated">The holders whose passwords changed (e.g. <c>redis</c>, <c>postgres</c>).</param>
/// <param name="Disconnected">What was cut off for the revoked node.</param>
/// <param name="Warnings">Steps that did not work (a server unreachable, a holder that kept its old password).</param>
/// <param name="AlreadyRotated">True when the node's revocation had been rotated for already: nothing changed now.</param>
public sealed record MeshRotationReport(long Version, IReadOnlyList<string> Rotated, IReadOnlyList<string> Disconnected, IReadOnlyList<string> Warnings, bool AlreadyRotated = false);
