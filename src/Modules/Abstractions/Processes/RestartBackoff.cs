namespace AuroraNode.Modules.Processes;

/// <summary>Delays between restarts of a crashing child: 1 s doubling to a ceiling, back to 1 s after a stable run.</summary>
/// <param name="ceiling">The longest delay.</param>
/// <param name="stableAfter">A run at least this long resets the delay.</param>
public sealed class RestartBackoff(TimeSpan ceiling, TimeSpan stableAfter)
{
    private TimeSpan _next = TimeSpan.FromSeconds(1);

    /// <summary>Restarts so far.</summary>
    public int Restarts { get; private set; }

    /// <summary>The delay before the next restart, given how long the last run lasted.</summary>
    public TimeSpan Next(TimeSpan lastRun)
    {
        if (lastRun >= stableAfter)
        {
            _next = TimeSpan.FromSeconds(1);
        }

        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(ceiling.Ticks, _next.Ticks * 2));
        Restarts++;
        return delay;
    }
}
