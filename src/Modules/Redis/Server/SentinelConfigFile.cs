namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// The managed Sentinel's sentinel.conf. Written once: from then on the Sentinel owns it and rewrites it with what it
/// learns (the current master, the other Sentinels, the replicas, the config epoch). Mode 0600: it holds the password.
/// </summary>
internal static class SentinelConfigFile
{
    public static string EnsureWritten(string dir, RedisOptions options, IEnumerable<string> bind, string announceIp, string master, string password)
    {
        var path = Path.Combine(dir, "sentinel.conf");
        if (File.Exists(path))
        {
            return path;
        }

        var colon = master.LastIndexOf(':');
        var text = $"""
            # Written by aurora-node on the first start; the Sentinel rewrites it from then on.
            port {options.SentinelPort}
            bind {string.Join(' ', bind)}
            protected-mode yes
            daemonize no
            supervised no
            logfile ""
            dir {dir}
            pidfile {Path.Combine(dir, "sentinel.pid")}
            requirepass {password}
            sentinel sentinel-pass {password}
            sentinel announce-ip {announceIp}
            sentinel resolve-hostnames no
            sentinel monitor {RedisOptions.ServiceName} {master[..colon]} {master[(colon + 1)..]} 2
            sentinel auth-pass {RedisOptions.ServiceName} {password}
            sentinel down-after-milliseconds {RedisOptions.ServiceName} {(long)options.DownAfter.TotalMilliseconds}
            sentinel failover-timeout {RedisOptions.ServiceName} 10000
            sentinel parallel-syncs {RedisOptions.ServiceName} 1

            """;
        var temp = path + ".tmp";
        File.WriteAllText(temp, "");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(temp, text);
        File.Move(temp, path);
        return path;
    }
}
