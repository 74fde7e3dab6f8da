using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace AuroraNode.Modules.Router.Models;

/// <summary>SHA-256 of model files, as Ollama lists them; computed once per file version (path, size, time).</summary>
internal static class ModelDigests
{
    private static readonly ConcurrentDictionary<(string Path, long Size, DateTimeOffset ModifiedAt), string> Cache = new();
    private static readonly ConcurrentDictionary<(string Path, long Size, DateTimeOffset ModifiedAt), byte> Hashing = new();

    public static string Of(string path, long size, DateTimeOffset modifiedAt) =>
        Cache.GetOrAdd((path, size, modifiedAt), key =>
        {
            using var file = File.OpenRead(key.Path);
            return Convert.ToHexStringLower(SHA256.HashData(file));
        });

    /// <summary>The digest if it is known; else null, and it is computed in the background (a large file takes seconds).</summary>
    public static string? Known(string path, long size, DateTimeOffset modifiedAt)
    {
        var key = (path, size, modifiedAt);
        if (Cache.TryGetValue(key, out var digest))
        {
            return digest;
        }

        if (Hashing.TryAdd(key, 0))
        {
            _ = Task.Run(() =>
            {
                try
                {
                    Of(path, size, modifiedAt);
                }
                catch (IOException)
                {
                    // Gone or unreadable: the next listing finds out.
                }
                catch (UnauthorizedAccessException)
                {
                }
                finally
                {
                    Hashing.TryRemove(key, out _);
                }
            });
        }

        return null;
    }
}
