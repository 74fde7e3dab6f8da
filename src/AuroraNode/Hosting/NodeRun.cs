using AuroraNode.Modules.Security;
using Serilog.Core;

namespace AuroraNode.Hosting;

/// <summary>What start-up creates before the host exists (the join runs before it) and hands to the host.</summary>
/// <param name="SigningKey">The node's own key (made on its first start): it signs the node's calls to other nodes and is enrolled when it joins.</param>
internal sealed record NodeRun(Logger Logger, LogCounter LogCounts, NodeCredentials Credentials, NodeSigningKey SigningKey);
