using Serilog.Core;

namespace AuroraNode.Hosting;

/// <summary>What start-up creates before the host exists (the join runs before it) and hands to the host.</summary>
internal sealed record NodeRun(Logger Logger, LogCounter LogCounts, NodeCredentials Credentials);
