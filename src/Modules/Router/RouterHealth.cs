using AuroraNode.Modules.Health;
using AuroraNode.Modules.Router.Backends;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Modules.Router;

/// <summary>
/// Always running (a node without llama.cpp or models still routes and serves its API); the detail says whether
/// this node infers locally, what it has loaded, the servers it fronts and the nodes it routes to.
/// </summary>
internal sealed class RouterHealth(LocalLibrary library, ModelPool pool, BackendSet backends, PeerTable peers, RoutingOptions routing) : IModuleHealth
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
            ["strategy"] = routing.Strategy,
            ["peers"] = peers.Live().Select(p => p.Load.Node).ToList(),
            ["backends"] = backends.All.Select(b => new { name = b.Settings.Name, kind = b.Settings.Kind, url = b.Settings.Url.ToString(), models = b.Models, problem = b.ListProblem }).ToList(),
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
