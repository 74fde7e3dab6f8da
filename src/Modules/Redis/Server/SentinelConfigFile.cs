namespace AuroraNode.Modules.Redis.Server;

/// <summary>
/// The managed Sentinel's sentinel.conf. Written once: from then on the Sentinel owns it and rewrites it with what it
/// learns (the current master, the other Sentinels, the replicas, the config epoch). Mode 0600: it holds the password.
/// Before each later start its password lines are set to the credentials file's (the mesh's password may have been
/// rotated while it was down).
/// </summary>
internal static class SentinelConfigFile
{
    public static string EnsureWritten(string dir, RedisOptions options, IEnumerable<string> bind, string announceIp, string master, string password)
    {
        var path = Path.Combine(dir, "sentinel.conf");
        if (File.Exists(path))
        {
            var written = File.ReadAllText(path);
            var updated = WithPassword(written, password);
            if (updated != written)
            {
                Replace(path, updated);
            }

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
            sentinel monitor {RedisOptions.ServiceName} {master[..colon]} {master[(colon + 1)..]} {SentinelQuorum.Quorum}
            sentinel auth-pass {RedisOptions.ServiceName} {password}
            sentinel down-after-milliseconds {RedisOptions.ServiceName} {(long)options.DownAfter.TotalMilliseconds}
            sentinel failover-timeout {RedisOptions.ServiceName} 10000
            sentinel parallel-syncs {RedisOptions.ServiceName} 1

            """;
        Replace(path, text);
        return path;
    }

    /// <summary>
    /// <paramref name="text"/> with <paramref name="password"/> on its password lines (its own, the one for the other
    /// Sentinels, the one for the servers); the <c>user default</c> line a rotation leaves behind is dropped so that
    /// <c>requirepass</c> alone decides.
    /// </summary>
    public static string WithPassword(string text, string password)
    {
        var lines = text.Split('\n').ToList();
        var result = new List<string>(lines.Count);
        foreach (var line in lines)
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("user default ", StringComparison.Ordinal))
            {
                continue;
            }

            result.Add(
                trimmed.StartsWith("requirepass ", StringComparison.Ordinal) ? $"requirepass {password}"
                : trimmed.StartsWith("sentinel sentinel-pass ", StringComparison.Ordinal) ? $"sentinel sentinel-pass {password}"
                : trimmed.StartsWith($"sentinel auth-pass {RedisOptions.ServiceName} ", StringComparison.Ordinal) ? $"sentinel auth-pass {RedisOptions.ServiceName} {password}"
                : line);
        }

        return string.Join('\n', result);
    }

    private static void Replace(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, "");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
