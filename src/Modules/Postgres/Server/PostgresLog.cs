using Microsoft.Extensions.Logging;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>Forwards PostgreSQL's stderr lines to the node's log at the level PostgreSQL gave them, keeping the last few for error messages.</summary>
internal sealed class PostgresLog(ILogger logger)
{
    private readonly Queue<string> _recent = new();

    public void Line(string line)
    {
        // Our own readiness probe makes the server log this while it starts; it is not a problem.
        var level = line.Contains("the database system is starting up", StringComparison.Ordinal) ? LogLevel.Debug : Level(line);
        logger.Log(level, "{PostgresLine}", line);
        lock (_recent)
        {
            _recent.Enqueue(line);
            if (_recent.Count > 8)
            {
                _recent.Dequeue();
            }
        }
    }

    public string Recent()
    {
        lock (_recent)
        {
            return string.Join(" | ", _recent);
        }
    }

    internal static LogLevel Level(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var severity = colon > 0 ? line[..colon] : "";
        return severity switch
        {
            "WARNING" => LogLevel.Warning,
            "ERROR" or "FATAL" or "PANIC" => LogLevel.Error,
            _ when severity.StartsWith("DEBUG", StringComparison.Ordinal) => LogLevel.Debug,
            _ => LogLevel.Information,
        };
    }
}
