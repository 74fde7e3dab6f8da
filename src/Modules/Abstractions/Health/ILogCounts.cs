namespace AuroraNode.Modules.Health;

/// <summary>How many warnings and errors the node logged: the error counts of its health reports.</summary>
public interface ILogCounts
{
    /// <summary>The counts since the previous call (or since start), and starts counting anew.</summary>
    LogCounts Take();
}

/// <summary>Warnings and errors (fatal included) logged in a period, and both together per module.</summary>
public sealed record LogCounts(int Errors, int Warnings, IReadOnlyDictionary<string, int> ByModule);
