using AuroraNode.Modules.Router.Backends;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Models;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Modules.Router.Load;

/// <summary>
/// This node's load as it publishes it: every model of its own (loaded or not) and of the servers it fronts, with
/// slots, busy, queued, measured speed, backlog and what it is (size, digest as listed here, a file's GGUF header
/// details or a server's). The list of model files is read at most once a second; without llama.cpp the node offers
/// only its servers' models.
/// </summary>
internal sealed class LocalLoad(
    LocalLibrary library, ModelPool pool, BackendSet backends, SpeedBook speeds, InFlight inFlight, ModelDetailsCache details, NodeContext node, TimeProvider time)
{
    private static readonly IReadOnlyList<string> BothApis = [RequestApi.Ollama, RequestApi.OpenAi];
    private readonly Lock gate = new();
    private IReadOnlyList<AvailableModel> available = [];
    private long listedAt = long.MinValue;

    public string Node => node.Name;

    public NodeLoad Now()
    {
        var loaded = pool.Loaded().ToDictionary(m => m.Settings.Name, StringComparer.Ordinal);
        var models = new List<ModelLoad>();
        foreach (var m in Available())
        {
            var name = m.Settings.Name;
            var live = loaded.GetValueOrDefault(name);
            var speed = speeds.Of(name);
            models.Add(new ModelLoad(
                name, m.Settings.Parallel, live?.Busy ?? 0, live?.Waiting ?? 0, speed.PromptTokensPerSecond, speed.GenerationTokensPerSecond,
                speed.AverageMs, m.Settings.GpuLayers != 0, BothApis,
                Facts(m)));
        }

        foreach (var backend in backends.All)
        {
            foreach (var name in backend.Models.Where(n => models.All(m => m.Model != n)))
            {
                var speed = speeds.Of(name);
                models.Add(new ModelLoad(
                    name, backend.Settings.Slots, backend.Busy, backend.Waiting, speed.PromptTokensPerSecond, speed.GenerationTokensPerSecond,
                    speed.AverageMs, backend.Settings.Gpu, backend.Apis, backend.Facts(name)));
            }
        }

        return new NodeLoad(node.Name, node.AdvertiseUrl, time.GetUtcNow(), models.Select(WithBacklog).ToList());
    }

    // What /api/tags on the other nodes shows of a file: its digest as listed here, and its GGUF header's details, loaded or not.
    private ModelFacts Facts(AvailableModel m)
    {
        var digest = ModelDigests.Listed(m.Settings.Path, m.Size, m.ModifiedAt);
        return details.Of(m.Settings.Path, m.Size, m.ModifiedAt) is { } d
            ? new ModelFacts(m.Size, digest, m.ModifiedAt, d.Family, d.ParameterSize, d.QuantizationLevel)
            : new ModelFacts(m.Size, digest, m.ModifiedAt);
    }

    private ModelLoad WithBacklog(ModelLoad m) => m with { BacklogMs = inFlight.BacklogMs(node.Name, m.Model, size => Estimator.WorkMs(m, size)) };

    private IReadOnlyList<AvailableModel> Available()
    {
        lock (gate)
        {
            if (listedAt == long.MinValue || time.GetElapsedTime(listedAt) > TimeSpan.FromSeconds(1))
            {
                available = library.Peek() is null ? pool.Available() : [];
                listedAt = time.GetTimestamp();
            }

            return available;
        }
    }
}
