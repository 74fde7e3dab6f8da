using Microsoft.Extensions.Logging.Abstractions;

namespace AuroraNode.Modules.Router.Models;

/// <summary>
/// SHA-256 of model files, as Ollama lists them, for every part of the router: the node's <see cref="DigestCache"/>
/// (kept in its data dir) once the router module has started; before that, and without a node, one in memory.
/// </summary>
internal static class ModelDigests
{
    private static DigestCache shared = new(null, NullLogger.Instance);

    public static void Use(DigestCache cache) => shared = cache;

    public static string Of(string path, long size, DateTimeOffset modifiedAt) => shared.Of(path, size, modifiedAt);

    /// <summary>How long a listing (/api/tags, /api/ps) waits for files being hashed before it lists their provisional digests.</summary>
    public static readonly TimeSpan ListingWait = TimeSpan.FromMilliseconds(200);

    /// <summary>The digest if it is known; else null, and it is computed in the background (a large file takes seconds).</summary>
    public static string? Known(string path, long size, DateTimeOffset modifiedAt) => shared.Known(path, size, modifiedAt);

    /// <inheritdoc cref="DigestCache.Listed"/>
    public static string Listed(string path, long size, DateTimeOffset modifiedAt) => shared.Listed(path, size, modifiedAt);

    /// <inheritdoc cref="DigestCache.ListedAsync"/>
    public static Task<string> ListedAsync(string path, long size, DateTimeOffset modifiedAt, Task deadline) => shared.ListedAsync(path, size, modifiedAt, deadline);
}
