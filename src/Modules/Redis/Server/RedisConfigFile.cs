namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// The managed server's redis.conf, rewritten at every start from the node's config and the master's address (a
/// replica of the mesh's master, or the master itself). It holds the password, so it is mode 0600 and the password
/// never appears on a command line.
/// </summary>
internal static class RedisConfigFile
{
    public static string Write(string dir, int port, IEnumerable<string> bind, string password, string announceIp, string? replicaOf)
    {
        var replication = replicaOf is null ? "" : $"replicaof {replicaOf.Replace(':', ' ')}\n";
        var path = Path.Combine(dir, "redis.conf");
        var text = $"""
            # Written by aurora-node at every start; edit aurora-node.yaml instead.
            port {port}
            bind {string.Join(' ', bind)}
            protected-mode yes
            requirepass {password}
            masterauth {password}
            dir {dir}
            pidfile {Path.Combine(dir, "redis.pid")}
            daemonize no
            supervised no
            logfile ""
            appendonly yes
            appendfsync everysec
            save 3600 1 300 100 60 10000
            replica-announce-ip {announceIp}
            repl-diskless-sync-delay 0
            {replication}
            """;
        var temp = path + ".tmp";
        File.WriteAllText(temp, "");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
