namespace AuroraNode.Modules.Credentials;

/// <summary>A rotation step could not change the mesh's main server; the message says why and what to do.</summary>
/// <param name="message">What failed and what to do.</param>
/// <param name="inner">The cause, if any.</param>
/// <param name="outcomeUnknown">
/// True when the change may have taken all the same (the answer to a commit or a CONFIG SET was cut off): the rotation
/// then stays pending and is finished later (<see cref="PendingRotation"/>); false when the server surely kept its old secret.
/// </param>
public sealed class MeshRotationException(string message, Exception? inner = null, bool outcomeUnknown = false) : Exception(message, inner)
{
    /// <summary>True when the server may have taken the new secret although the step failed.</summary>
    public bool OutcomeUnknown { get; } = outcomeUnknown;
}
