using AuroraNode.Modules.Router.Models;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>The servers this node fronts (<c>modules.router.backends</c>), in config order: the first that has a model serves it.</summary>
internal sealed class BackendSet(RouterOptions options)
{
    public IReadOnlyList<Backend> All { get; } = options.Backends.Select(b => new Backend(b, options.QueueLimit)).ToList();

    public Backend? For(string model)
    {
        var bare = ModelNames.Bare(model);
        return All.FirstOrDefault(b => b.Has(bare));
    }
}
