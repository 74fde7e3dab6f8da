using System.Globalization;
using System.Text.RegularExpressions;

namespace AuroraNode.Modules.Configuration;

/// <summary>Durations as written in the config file: <c>500ms</c>, <c>10s</c>, <c>2m</c>, <c>72h</c>, <c>7d</c>, or <c>1h30m</c>.</summary>
public static partial class Durations
{
    /// <summary>Parses a config duration; false when the text isn't one.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var trimmed = text.Trim().ToLowerInvariant();
        var matches = Part().Matches(trimmed);
        if (trimmed.Length == 0 || matches.Sum(m => m.Length) != trimmed.Length)
        {
            return false;
        }

        foreach (Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            value += m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                _ => TimeSpan.FromDays(n),
            };
        }

        return true;
    }

    /// <summary>Formats a duration the way the config file writes it.</summary>
    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => $"{value.TotalMilliseconds:0}ms",
        { TotalSeconds: < 120 } => $"{value.TotalSeconds:0.##}s",
        { TotalMinutes: < 120 } => $"{value.TotalMinutes:0.##}m",
        _ => $"{value.TotalHours:0.##}h",
    };

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)")]
    private static partial Regex Part();
}
