using AuroraNode.Modules.Health;
using AuroraNode.Modules.Router.Inference;

namespace AuroraNode.Modules.Router;

/// <summary>
/// Always running (a node without llama.cpp or models still routes and serves its API); the detail says whether
/// this node infers locally and what it has loaded.
/// </summary>
internal sealed class RouterHealth(LocalLibrary library, ModelPool pool) : IModuleHealth
{
    public string Module => "router";

    public Task<ModuleHealthReport> CheckAsync(CancellationToken ct)
    {
        var loaded = pool.Loaded();
        var data = new Dictionary<string, object?>
        {
            ["library_dir"] = library.Directory,
            ["models_dir"] = pool.Options.Llama.ModelsDir,
            ["local_inference"] = library.Peek() is null,
            ["loaded"] = loaded.Select(m => m.Settings.Name).ToList(),
            ["busy_slots"] = loaded.Sum(m => m.Busy),
            ["queue_depth"] = loaded.Sum(m => m.Waiting),
        };
        if (library.Peek() is { } problem)
        {
            return Task.FromResult(new ModuleHealthReport(ModuleState.Running, problem, data));
        }

        var available = pool.Available().Count;
        return Task.FromResult(new ModuleHealthReport(
            ModuleState.Running, $"local inference on llama.cpp from {library.Directory}: {available} models, {loaded.Count} loaded", data));
    }
}
