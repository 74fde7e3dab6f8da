namespace AuroraNode.Bench;

/// <summary>A benchmark could not run (missing build or tool, a server that didn't start); the message says what to do.</summary>
internal sealed class BenchException(string message) : Exception(message);
