using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>
/// Where one failover's time went, read from the backup's log (JSON lines): seconds from the kill to the
/// Sentinels switching the Redis master (its Sentinel's <c>+switch-master</c>), to the backup starting to promote (it won
/// the lease), and to its PostgreSQL being the primary. Null where the line is missing. The Redis client's own
/// "Reconnected" line is no measure: StackExchange.Redis raises it seconds after it writes to the new master.
/// </summary>
internal sealed record FailoverTimeline(double? RedisSwitched, double? Promoting, double? Primary)
{
    public static FailoverTimeline Read(string logsDir, DateTimeOffset killedAt)
    {
        var lines = Directory.Exists(logsDir) ? Directory.EnumerateFiles(logsDir, "*.log").SelectMany(File.ReadLines).Select(Parse).OfType<(DateTimeOffset At, string Text)>().ToList() : [];
        double? First(string text) =>
            lines.Where(l => l.At >= killedAt && l.Text.Contains(text, StringComparison.Ordinal)).Select(l => (double?)(l.At - killedAt).TotalSeconds).Min();
        return new FailoverTimeline(First("+switch-master"), First("Promoting the local replica"), First("PostgreSQL is the primary now"));
    }

    // The rendered text is enough: the template with the Sentinel's own line, where there is one.
    private static (DateTimeOffset, string)? Parse(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var text = root.GetProperty("@mt").GetString() + (root.TryGetProperty("SentinelLine", out var sentinel) ? " " + sentinel.GetString() : "");
            return (root.GetProperty("@t").GetDateTimeOffset(), text);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    public override string ToString() =>
        $"Redis master switched at {Seconds(RedisSwitched)}, promotion began at {Seconds(Promoting)}, primary at {Seconds(Primary)}";

    private static string Seconds(double? s) => s is { } v ? $"{v:0.00} s" : "(not logged)";
}
