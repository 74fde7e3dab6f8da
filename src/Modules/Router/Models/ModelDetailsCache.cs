using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Router.Models;

/// <summary>
/// The details of model files, read from their GGUF headers without loading them, once per file version (path,
/// size, time). A file that is not a readable GGUF has none: one warning per version, never an exception.
/// </summary>
internal sealed partial class ModelDetailsCache(ILogger<ModelDetailsCache> log)
{
    private readonly ConcurrentDictionary<(string Path, long Size, DateTimeOffset ModifiedAt), ModelDetails?> cache = new();

    public ModelDetails? Of(string path, long size, DateTimeOffset modifiedAt)
    {
        var key = (path, size, modifiedAt);
        if (cache.TryGetValue(key, out var known))
        {
            return known;
        }

        var details = Read(path);
        if (cache.TryAdd(key, details))
        {
            // Only the current version of a file is worth keeping.
            foreach (var old in cache.Keys.Where(k => k.Path == path && k != key))
            {
                cache.TryRemove(old, out _);
            }
        }

        return details;
    }

    private ModelDetails? Read(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            return ModelDetails.From(GgufHeader.Read(file));
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            LogUnreadable(path, ex.Message);
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model file {Path} is not a readable GGUF file: {Reason}. It is listed without details and will not load; replace it with a complete GGUF (version 2 or 3) file")]
    private partial void LogUnreadable(string path, string reason);
}
