namespace AuroraNode.Modules.Credentials;

/// <summary>
/// A module whose servers or clients use some of the <see cref="MeshSecrets"/> (Redis, PostgreSQL). Revoking a node
/// rotates them: the node that handles the revocation calls <see cref="RotateMeshAsync"/> on each holder in
/// <see cref="Order"/>, stores the new values, then cuts the revoked node off with <see cref="DisconnectAsync"/>;
/// every node (that one included) calls <see cref="ApplyLocallyAsync"/> once its credentials file holds the new values.
/// </summary>
public interface IMeshSecretHolder
{
    /// <summary>What it rotates, for messages (e.g. <c>redis</c>).</summary>
    string Name { get; }

    /// <summary>Holders rotate in ascending order.</summary>
    int Order { get; }

    /// <summary>The keys of <see cref="MeshSecrets.Keys"/> this holder changes on the servers.</summary>
    IReadOnlyList<string> SecretKeys { get; }

    /// <summary>What revoking <paramref name="node"/> now would break in this holder's part of the mesh (its primary, the last Sentinels), or null.</summary>
    Task<RevocationRisk?> RiskOfRevokingAsync(RevokedNode node, CancellationToken ct);

    /// <summary>
    /// Changes the passwords on every server of the mesh this node reaches, except those of <paramref name="revoked"/>
    /// (which must not learn them), so that they accept <see cref="MeshSecretChange.Next"/> and refuse the old values
    /// for new connections; connections already authenticated stay up. Throws <see cref="MeshRotationException"/> when the mesh's main server (Redis master,
    /// PostgreSQL primary) could not be changed, after putting back what it had changed. Servers it could not reach
    /// are returned as warnings: their nodes apply the change themselves. Called again with the same change when an
    /// earlier call was interrupted (<see cref="PendingRotation"/>): servers that already take the new values stay as they
    /// are, so it must not depend on them still taking the old ones. Where the change may have taken although it failed
    /// (a commit's answer cut off), the exception says so (<see cref="MeshRotationException.OutcomeUnknown"/>).
    /// </summary>
    Task<IReadOnlyList<string>> RotateMeshAsync(MeshSecretChange change, RevokedNode revoked, CancellationToken ct);

    /// <summary>
    /// Brings this node's own servers and clients to <see cref="MeshSecretChange.Next"/> (already in its credentials
    /// file): servers the rotating node could not reach, config files the node writes, client passwords.
    /// </summary>
    Task ApplyLocallyAsync(MeshSecretChange change, CancellationToken ct);

    /// <summary>Ends the revoked node's connections to the mesh's servers (and what they keep for it, like a replication slot); returns what it did.</summary>
    Task<IReadOnlyList<string>> DisconnectAsync(RevokedNode node, CancellationToken ct);
}
