using AuroraNode.Modules.Configuration;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// How this node picks the node that serves a request (<c>modules.router.strategy</c> and the keys around it).
/// Strategy is local, fastest, least_busy, or the name of a node to pin every request to.
/// </summary>
internal sealed record RoutingOptions(
    string Strategy,
    TimeSpan PublishInterval,
    TimeSpan PeerStaleAfter,
    TimeSpan FirstTokenTimeout,
    int AllowedFails,
    TimeSpan Cooldown)
{
    public const string Local = "local";
    public const string Fastest = "fastest";
    public const string LeastBusy = "least_busy";

    /// <summary>The defaults of an empty section.</summary>
    public static readonly RoutingOptions Default = new(Fastest, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(60), 3, TimeSpan.FromSeconds(30));

    /// <summary>The node every request is pinned to, or null for the three strategies.</summary>
    public string? PinnedNode => Strategy is Local or Fastest or LeastBusy ? null : Strategy;

    public static RoutingOptions Read(ConfigReader router)
    {
        var strategy = router.String("strategy") ?? Fastest;
        if (strategy.Equals(Local, StringComparison.OrdinalIgnoreCase) || strategy.Equals(Fastest, StringComparison.OrdinalIgnoreCase)
            || strategy.Equals(LeastBusy, StringComparison.OrdinalIgnoreCase))
        {
            strategy = strategy.ToLowerInvariant();
        }
        else if (!strategy.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            router.Error("strategy", $"expected local, fastest, least_busy or the name of a node to pin requests to, got '{strategy}'");
            strategy = Fastest;
        }

        var publish = router.Duration("publish_interval", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(50));
        if (publish > TimeSpan.FromSeconds(2))
        {
            router.Error("publish_interval", $"must be at most 2s so that peers see load while it matters, got {Durations.Format(publish)}");
            publish = TimeSpan.FromSeconds(1);
        }

        var stale = router.Duration("peer_stale_after", TimeSpan.FromSeconds(6), TimeSpan.FromMilliseconds(200));
        if (stale <= publish)
        {
            router.Error("peer_stale_after", $"must be longer than publish_interval ({Durations.Format(publish)}), got {Durations.Format(stale)}");
            stale = publish * 6;
        }

        return new RoutingOptions(
            strategy,
            publish,
            stale,
            router.Duration("first_token_timeout", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100)),
            router.Int("allowed_fails", 3, 1, 1000),
            router.Duration("cooldown", TimeSpan.FromSeconds(30), TimeSpan.Zero));
    }
}
