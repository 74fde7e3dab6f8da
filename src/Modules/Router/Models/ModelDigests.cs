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

    /// <summary>The digest if it is known; else null, and it is computed in the background (a large file takes seconds).</summary>
    public static string? Known(string path, long size, DateTimeOffset modifiedAt) => shared.Known(path, size, modifiedAt);
}
