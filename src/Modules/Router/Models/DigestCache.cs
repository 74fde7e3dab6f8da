using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Router.Models;

/// <summary>
/// SHA-256 of model files, once per file version (path, size, time), kept in a JSON file (data_dir/router/digests.json)
/// so that a restart does not hash unchanged files again. The file is replaced atomically after each new digest and
/// holds only files as they are now; an unreadable one is ignored with a warning and written anew.
/// </summary>
internal sealed partial class DigestCache : IHostedService
{
    private readonly ConcurrentDictionary<DigestKey, string> cache = new();
    private readonly ConcurrentDictionary<DigestKey, Lazy<Task<string>>> hashing = new();
    private readonly Lock saving = new();
    private readonly string? filePath;
    private readonly ILogger log;

    /// <param name="filePath">Where the digests are kept; null keeps them in memory only.</param>
    public DigestCache(string? filePath, ILogger log)
    {
        this.filePath = filePath;
        this.log = log;
        foreach (var (key, digest) in Load())
        {
            cache[key] = digest;
        }
    }

    public static string FileIn(string dataDir) => Path.Combine(dataDir, "router", "digests.json");

    /// <summary>The file's SHA-256, hashing it first if needed (a large file takes seconds; a listing uses <see cref="ListedAsync"/>).</summary>
    public string Of(string path, long size, DateTimeOffset modifiedAt)
    {
        var key = new DigestKey(path, size, modifiedAt);
        return cache.TryGetValue(key, out var known) ? known : Hashing(key).GetAwaiter().GetResult();
    }

    /// <summary>The digest if it is known; else null, and it is computed in the background (a large file takes seconds).</summary>
    public string? Known(string path, long size, DateTimeOffset modifiedAt)
    {
        var key = new DigestKey(path, size, modifiedAt);
        if (cache.TryGetValue(key, out var digest))
        {
            return digest;
        }

        _ = Hashing(key);
        return null;
    }

    /// <summary>What a listing shows without waiting: the SHA-256 if known, else the provisional digest (and the hash goes on).</summary>
    public string Listed(string path, long size, DateTimeOffset modifiedAt) => Known(path, size, modifiedAt) ?? Provisional(path, size, modifiedAt);

    /// <summary>
    /// The SHA-256 if it is known or hashed before <paramref name="deadline"/> ends; else the provisional digest, and
    /// the hash goes on in the background. A file that cannot be read is listed with the provisional digest too.
    /// </summary>
    public async Task<string> ListedAsync(string path, long size, DateTimeOffset modifiedAt, Task deadline)
    {
        var key = new DigestKey(path, size, modifiedAt);
        if (cache.TryGetValue(key, out var known))
        {
            return known;
        }

        var hash = Hashing(key);
        await Task.WhenAny(hash, deadline);
        return hash.IsCompletedSuccessfully ? hash.Result : Provisional(path, size, modifiedAt);
    }

    /// <summary>
    /// Stands for a file's SHA-256 until it is hashed: 64 hex digits, as Ollama's clients expect (`ollama list` shows
    /// the first 12), from the file's path, size and time, so every node that lists the same version lists the same.
    /// </summary>
    public static string Provisional(string path, long size, DateTimeOffset modifiedAt) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            $"aurora-node provisional digest\n{path}\n{size.ToString(CultureInfo.InvariantCulture)}\n{modifiedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}")));

    /// <summary>
    /// Stands for the digest of a model no node knows one for (an OpenAI-compatible server's, a configured one its
    /// server has not listed, one from a node that publishes none): 64 hex digits from its name, the same on every node.
    /// An empty digest breaks Ollama's own client (`ollama list` cuts its first 12 characters).
    /// </summary>
    public static string OfNameOnly(string model) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"aurora-node model without digest\n{model}")));

    // The node's own cache, in the static entry the rest of the router calls, before anything lists models.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ModelDigests.Use(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // One hash per file version, on a thread of its own (it reads the whole file); forgotten once done, the digest kept.
    private Task<string> Hashing(DigestKey key)
    {
        var started = hashing.GetOrAdd(key, k => new Lazy<Task<string>>(() => Task.Factory.StartNew(() => Hash(k), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        var task = started.Value;
        if (!task.IsCompleted)
        {
            _ = task.ContinueWith(
                t =>
                {
                    _ = t.Exception; // A file gone or unreadable: the next listing tries again.
                    hashing.TryRemove(KeyValuePair.Create(key, started));
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            hashing.TryRemove(KeyValuePair.Create(key, started));
        }

        return task;
    }

    private string Hash(DigestKey key)
    {
        string digest;
        using (var file = File.OpenRead(key.Path))
        {
            digest = Convert.ToHexStringLower(SHA256.HashData(file));
        }

        if (cache.TryAdd(key, digest))
        {
            Save();
        }

        return cache[key];
    }

    private IEnumerable<KeyValuePair<DigestKey, string>> Load()
    {
        if (filePath is null || !File.Exists(filePath))
        {
            return [];
        }

        try
        {
            var saved = JsonSerializer.Deserialize<DigestFile>(File.ReadAllBytes(filePath), DigestFile.Json);
            if (saved is not { Version: DigestFile.CurrentVersion, Files: { } files } || files.Any(f => f?.Path is null || f.Sha256 is not { Length: 64 }))
            {
                LogIgnored(filePath, "not a digest list this node wrote");
                return [];
            }

            return files.Select(f => KeyValuePair.Create(new DigestKey(f.Path, f.Size, f.ModifiedAt), f.Sha256)).ToList();
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            LogIgnored(filePath, ex.Message);
        }

        return [];
    }

    private void Save()
    {
        if (filePath is null)
        {
            return;
        }

        lock (saving)
        {
            // Only the files as they are now: older versions and deleted files are left out.
            var files = cache
                .Where(e => new FileInfo(e.Key.Path) is { Exists: true } f && f.Length == e.Key.Size && f.LastWriteTimeUtc == e.Key.ModifiedAt)
                .Select(e => new DigestFile.Entry(e.Key.Path, e.Key.Size, e.Key.ModifiedAt, e.Value))
                .OrderBy(e => e.Path, StringComparer.Ordinal)
                .ToList();
            var temp = filePath + ".tmp";
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(filePath)!);
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
                {
                    JsonSerializer.Serialize(stream, new DigestFile(DigestFile.CurrentVersion, files), DigestFile.Json);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, filePath, overwrite: true);
            }
            catch (IOException ex)
            {
                LogNotSaved(filePath, ex.Message);
            }
            catch (UnauthorizedAccessException ex)
            {
                LogNotSaved(filePath, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model digest list {Path} ignored ({Reason}); model files are hashed again and the list is written anew")]
    private partial void LogIgnored(string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not save the model digest list {Path} ({Reason}); the next start hashes the model files again. Check the data dir is writable")]
    private partial void LogNotSaved(string path, string reason);

    private readonly record struct DigestKey(string Path, long Size, DateTimeOffset ModifiedAt);
}
