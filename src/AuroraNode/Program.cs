using AuroraNode.Cli;

// aurora-node: the node daemon (run) and its CLI (status, config check, version) in one executable.
return await AuroraCli.InvokeAsync(args);
