using AuroraNode.Modules.Router.Inference;

namespace AuroraNode.Modules.Router.Load;

/// <summary>
/// The models this node serves without a file of its own: through the servers it fronts, or by routing to other
/// nodes; each with the facts the first node that knows them published (size, digest, details).
/// </summary>
internal sealed class MeshModels(LocalLoad local, PeerTable peers, ModelPool pool, Routing.RoutingOptions options)
{
    public IReadOnlyList<MeshModel> Elsewhere()
    {
        var own = pool.Available().Select(m => m.Settings.Name).ToHashSet(StringComparer.Ordinal);
        var loads = options.Strategy == Routing.RoutingOptions.Local ? [local.Now()] : new[] { local.Now() }.Concat(peers.Live().Select(p => p.Load));
        return loads.SelectMany(l => l.Models)
            .Where(m => !own.Contains(m.Model))
            .GroupBy(m => m.Model, StringComparer.Ordinal)
            .Select(g => new MeshModel(g.Key, Best(g.Select(m => m.Facts))))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    // A node that knows the size (and the digest, once it has hashed the file) says more than one that does not.
    private static ModelFacts? Best(IEnumerable<ModelFacts?> facts) =>
        facts.OfType<ModelFacts>().OrderByDescending(f => f.Size > 0).ThenByDescending(f => !string.IsNullOrEmpty(f.Digest)).FirstOrDefault();
}

/// <summary>A model served elsewhere, with what is known of it.</summary>
internal sealed record MeshModel(string Name, ModelFacts? Facts);
