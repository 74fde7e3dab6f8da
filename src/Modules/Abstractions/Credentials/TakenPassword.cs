namespace AuroraNode.Modules.Credentials;

/// <summary>
/// Which of the current and the planned password a server took, as a probe found while a rotation is pending
/// (<see cref="PendingRotation"/>), remembered for a few seconds so that not every new connection probes again.
/// A remembered answer is given only while it is still one of the two values asked about.
/// </summary>
public sealed class TakenPassword(TimeProvider time)
{
    /// <summary>How long a probe's answer is trusted.</summary>
    public static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(3);

    // A reference, so that concurrent readers never see half of an update.
    private volatile Taken? _known;

    /// <summary>The password remembered for this server, if it is <paramref name="current"/> or <paramref name="planned"/> and recent; else null.</summary>
    public string? Recall(string current, string planned) =>
        _known is { } known && (known.Password == current || known.Password == planned) && time.GetUtcNow() - known.At < RememberFor
            ? known.Password
            : null;

    /// <summary>Remembers that the server took <paramref name="password"/>, from now.</summary>
    public void Remember(string password) => _known = new Taken(password, time.GetUtcNow());

    private sealed record Taken(string Password, DateTimeOffset At);
}
