using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace AuroraNode.Modules.Router.Api;

/// <summary>SHA-256 of model files, as Ollama lists them; computed once per file version (path, size, time).</summary>
internal static class ModelDigests
{
    private static readonly ConcurrentDictionary<(string Path, long Size, DateTimeOffset ModifiedAt), string> Cache = new();

    public static string Of(string path, long size, DateTimeOffset modifiedAt) =>
        Cache.GetOrAdd((path, size, modifiedAt), key =>
        {
            using var file = File.OpenRead(key.Path);
            return Convert.ToHexStringLower(SHA256.HashData(file));
        });
}
