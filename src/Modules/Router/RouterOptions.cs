using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Router.Backends;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Modules.Router;

/// <summary><c>modules.router</c>: local inference settings, node-wide defaults, the named models, the fronted servers and routing.</summary>
internal sealed record RouterOptions(
    LlamaOptions Llama,
    TimeSpan? KeepAlive,
    int Parallel,
    int QueueLimit,
    int Threads,
    int Context,
    IReadOnlyDictionary<string, ModelSettings> Models,
    IReadOnlyList<BackendSettings> Backends,
    RoutingOptions Routing)
{
    public static RouterOptions Read(ConfigReader config, NodeContext node)
    {
        var llama = LlamaOptions.Read(config, node);
        TimeSpan? keepAlive = TimeSpan.FromMinutes(5);
        var raw = config.String("keep_alive");
        if (raw is not null && !Inference.KeepAlive.TryParse(raw, out keepAlive))
        {
            config.Error("keep_alive", $"expected a duration like 5m, 30s or 0 (unload at once), or -1 (keep loaded), got '{raw}'");
            keepAlive = TimeSpan.FromMinutes(5);
        }

        var parallel = config.Int("parallel", 1, 1, 64);
        var queueLimit = config.Int("queue_limit", 8, 0, 100_000);
        var threads = config.Int("threads", Environment.ProcessorCount, 1, 1024);
        var context = config.Int("context", 2048, 16, 1 << 20);
        var models = new Dictionary<string, ModelSettings>(StringComparer.Ordinal);
        foreach (var name in config.Keys("models"))
        {
            var m = config.Section("models").Section(name);
            var path = m.String("path");
            if (path is null)
            {
                m.Error("path", $"model '{name}' needs a path to its .gguf file");
                continue;
            }

            models[name] = new ModelSettings(
                name,
                Path.GetFullPath(path, llama.ModelsDir),
                m.Int("context", context, 16, 1 << 20),
                m.Int("threads", threads, 1, 1024),
                m.Int("parallel", parallel, 1, 64),
                m.Int("gpu_layers", 0, -1, 10_000));
        }

        return new RouterOptions(llama, keepAlive, parallel, queueLimit, threads, context, models, BackendSettings.Read(config), RoutingOptions.Read(config));
    }

    /// <summary>The settings of a file found in models_dir and not named under <c>models</c>.</summary>
    public ModelSettings Defaults(string name, string path) => new(name, path, Context, Threads, Parallel, 0);
}
