namespace AuroraNode.Modules.Configuration;

/// <summary>One problem found in the configuration.</summary>
/// <param name="Key">The dotted key, e.g. <c>postgres.port</c>.</param>
/// <param name="Message">What is wrong and what is expected.</param>
/// <param name="Source">Where the value came from: the file and line, or the environment variable.</param>
public sealed record ConfigIssue(string Key, string Message, string Source)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Source}: {Key}: {Message}";
}
