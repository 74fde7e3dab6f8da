namespace AuroraNode.Modules;

/// <summary>
/// A problem the user can fix that stops the node from starting: the host prints <see cref="Exception.Message"/>
/// as one line (no stack trace) and exits non-zero.
/// </summary>
/// <param name="key">The config key the problem is about, if any.</param>
/// <param name="message">What is wrong and what to do about it.</param>
public sealed class StartupException(string? key, string message)
    : Exception(key is null ? message : $"{key}: {message}")
{
    /// <summary>The config key the problem is about, if any.</summary>
    public string? Key { get; } = key;
}
