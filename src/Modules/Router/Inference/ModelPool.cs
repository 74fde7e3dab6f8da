using AuroraNode.Modules.Router.Models;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>
/// The models this node can run and those in memory: loads one on first use, keeps it while requests use it,
/// and unloads it once idle past its keep-alive (by <see cref="Sweep"/>, or at once for keep_alive 0).
/// </summary>
internal sealed partial class ModelPool(RouterOptions options, TimeProvider time, ILogger<ModelPool> log) : IDisposable
{
    private const string LatestTag = ":latest";

    private readonly Lock gate = new();
    private readonly Dictionary<string, LoadedModel> loaded = new(StringComparer.Ordinal);
    private readonly ModelCatalog catalog = new(options.Llama.ModelsDir);

    public RouterOptions Options => options;

    /// <summary>Named models first, then every *.gguf in models_dir, by name.</summary>
    public IReadOnlyList<AvailableModel> Available()
    {
        var named = options.Models.Values
            .Select(m => (Settings: m, File: new FileInfo(m.Path)))
            .Where(m => m.File.Exists)
            .Select(m => new AvailableModel(m.Settings, m.File.Length, m.File.LastWriteTimeUtc));
        var found = catalog.List()
            .Where(f => !options.Models.ContainsKey(f.Name))
            .Select(f => new AvailableModel(options.Defaults(f.Name, f.Path), f.SizeBytes, f.ModifiedAt));
        return named.Concat(found).OrderBy(m => m.Settings.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The model a request names ("tiny" or "tiny:latest"), or null.</summary>
    public ModelSettings? Resolve(string name)
    {
        var bare = name.EndsWith(LatestTag, StringComparison.Ordinal) ? name[..^LatestTag.Length] : name;
        if (options.Models.TryGetValue(name, out var named) || options.Models.TryGetValue(bare, out named))
        {
            return named;
        }

        return catalog.Find(bare) is { } file ? options.Defaults(file.Name, file.Path) : null;
    }

    /// <summary>A slot of <paramref name="settings"/>'s model, loading it first if needed.</summary>
    /// <exception cref="QueueFullException">Its slots are busy and its queue is full.</exception>
    /// <exception cref="Llama.LlamaException">llama.cpp cannot load it.</exception>
    public async Task<SlotLease> AcquireAsync(ModelSettings settings, TimeSpan? keepAlive, CancellationToken ct)
    {
        LoadedModel model;
        lock (gate)
        {
            if (!loaded.TryGetValue(settings.Name, out model!) || model.LoadFailed)
            {
                model = new LoadedModel(settings, time);
                loaded[settings.Name] = model;
            }

            model.Users++;
        }

        try
        {
            var loadDuration = await model.EnsureLoadedAsync(ct);
            if (loadDuration > TimeSpan.Zero)
            {
                LogLoaded(settings.Name, settings.Path, loadDuration.TotalMilliseconds);
            }

            var generator = await model.TakeSlotAsync(options.QueueLimit, ct);
            return new SlotLease(this, model, generator, keepAlive, loadDuration, time);
        }
        catch
        {
            // A failed load is dropped at once so that the next request tries again.
            Release(model, model.LoadFailed ? TimeSpan.Zero : keepAlive, touch: false);
            throw;
        }
    }

    /// <summary>A request is done with <paramref name="model"/>: it stays for <paramref name="keepAlive"/> once nobody uses it.</summary>
    public void Release(LoadedModel model, TimeSpan? keepAlive, bool touch = true)
    {
        LoadedModel? unload = null;
        lock (gate)
        {
            model.Users--;
            if (touch || model.ExpiresAt is null || model.LoadFailed)
            {
                model.ExpiresAt = keepAlive is { } k ? time.GetUtcNow() + k : null;
            }

            if (model.Users == 0 && (model.LoadFailed || model.ExpiresAt <= time.GetUtcNow()) && loaded.GetValueOrDefault(model.Settings.Name) == model)
            {
                loaded.Remove(model.Settings.Name);
                unload = model;
            }
        }

        Unload(unload);
    }

    /// <summary>Unloads every model idle past its keep-alive.</summary>
    public void Sweep()
    {
        List<LoadedModel> expired;
        var now = time.GetUtcNow();
        lock (gate)
        {
            expired = loaded.Values.Where(m => m.Users == 0 && m.ExpiresAt <= now).ToList();
            foreach (var m in expired)
            {
                loaded.Remove(m.Settings.Name);
            }
        }

        foreach (var m in expired)
        {
            Unload(m);
        }
    }

    /// <summary>The models in memory (those still loading included).</summary>
    public IReadOnlyList<LoadedModel> Loaded()
    {
        lock (gate)
        {
            return loaded.Values.OrderBy(m => m.Settings.Name, StringComparer.Ordinal).ToList();
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var m in loaded.Values.Where(m => m.Users == 0))
            {
                m.Dispose();
            }

            loaded.Clear();
        }
    }

    private void Unload(LoadedModel? model)
    {
        if (model is null)
        {
            return;
        }

        var wasLoaded = model.Model is not null;
        model.Dispose();
        if (wasLoaded)
        {
            LogUnloaded(model.Settings.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Model} from {Path} in {Milliseconds:F0} ms")]
    private partial void LogLoaded(string model, string path, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded model {Model} (idle past its keep_alive)")]
    private partial void LogUnloaded(string model);
}
