using System.Collections.Concurrent;

namespace AuroraNode.Modules.Auth.Nodes;

/// <summary>Signatures this node accepted within the clock-skew window: the same signed request is accepted once.</summary>
internal sealed class SeenSignatures(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new();
    private DateTimeOffset _nextSweep;

    /// <summary>False when <paramref name="signature"/> was seen before (a replay).</summary>
    public bool TryAdd(string signature, TimeSpan window)
    {
        var now = time.GetUtcNow();
        if (now >= _nextSweep)
        {
            _nextSweep = now + window;
            foreach (var (sig, at) in _seen)
            {
                if (now - at > 2 * window)
                {
                    _seen.TryRemove(sig, out _);
                }
            }
        }

        return _seen.TryAdd(signature, now);
    }
}
