using AuroraNode.Modules.Router.Inference;

namespace AuroraNode.Modules.Router.Load;

/// <summary>The models this node serves without a file of its own: through the servers it fronts, or by routing to other nodes.</summary>
internal sealed class MeshModels(LocalLoad local, PeerTable peers, ModelPool pool, Routing.RoutingOptions options)
{
    public IReadOnlyList<string> Elsewhere()
    {
        var own = pool.Available().Select(m => m.Settings.Name).ToHashSet(StringComparer.Ordinal);
        var loads = options.Strategy == Routing.RoutingOptions.Local ? [local.Now()] : new[] { local.Now() }.Concat(peers.Live().Select(p => p.Load));
        return loads.SelectMany(l => l.Models.Select(m => m.Model)).Where(n => !own.Contains(n)).Distinct().Order(StringComparer.Ordinal).ToList();
    }
}
