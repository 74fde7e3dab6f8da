namespace AuroraNode.Modules.Processes;

/// <summary>How to start a supervised child process.</summary>
/// <param name="FileName">The executable.</param>
/// <param name="Arguments">Its arguments (never secrets: they show in process listings).</param>
/// <param name="WorkingDirectory">Where it runs.</param>
/// <param name="RunAsUser">An OS user to run it as when the node runs as root (PostgreSQL refuses root), or null.</param>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory, string? RunAsUser = null);
