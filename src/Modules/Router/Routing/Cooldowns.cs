using System.Collections.Concurrent;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// Nodes that failed <c>allowed_fails</c> times in a row rest for <c>cooldown</c> (like LiteLLM): the router tries
/// them only after every other node that has the model. One success clears the count.
/// </summary>
internal sealed class Cooldowns(RoutingOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, State> nodes = new(StringComparer.Ordinal);

    /// <summary>Counts a failure; true when it starts a cooldown.</summary>
    public bool Fail(string node)
    {
        var now = time.GetUtcNow();
        var next = nodes.AddOrUpdate(node, _ => Next(new State(0, null), now), (_, s) => Next(s, now));
        return next.Fails == 0 && next.Until > now;
    }

    public void Succeed(string node) => nodes.TryRemove(node, out _);

    /// <summary>When the node's cooldown ends, or null when it is not cooling down.</summary>
    public DateTimeOffset? Until(string node) =>
        nodes.TryGetValue(node, out var s) && s.Until is { } until && until > time.GetUtcNow() ? until : null;

    public bool IsCooling(string node) => Until(node) is not null;

    private State Next(State s, DateTimeOffset now)
    {
        var fails = s.Fails + 1;
        return fails >= options.AllowedFails ? new State(0, now + options.Cooldown) : new State(fails, s.Until);
    }

    private sealed record State(int Fails, DateTimeOffset? Until);
}
