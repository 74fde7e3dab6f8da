namespace AuroraNode.Modules.Router;

/// <summary>
/// How one model runs: <c>modules.router.models.&lt;name&gt;</c>, or the router's defaults for a file found in
/// models_dir. Parallel is the number of slots (one llama.cpp context each); GpuLayers &lt; 0 offloads every layer.
/// </summary>
internal sealed record ModelSettings(string Name, string Path, int Context, int Threads, int Parallel, int GpuLayers);
