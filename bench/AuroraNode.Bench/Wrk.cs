using System.Globalization;
using System.Text.RegularExpressions;

namespace AuroraNode.Bench;

/// <summary>Runs wrk (Debian's package) and reads requests/s, latency percentiles and errors from its output.</summary>
internal static partial class Wrk
{
    public const int Threads = 2;
    public const int Connections = 32;

    public sealed record Result(double RequestsPerSecond, double P50Ms, double P99Ms, long SocketErrors);

    /// <summary>wrk against <paramref name="url"/>, each request with <c>Authorization: Bearer <paramref name="bearer"/></c>.</summary>
    public static async Task<Result> RunAsync(string url, string bearer, TimeSpan duration, CancellationToken ct)
    {
        var (code, output) = await Command.RunAsync(
            ["wrk", $"-t{Threads}", $"-c{Connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "-H", $"Authorization: Bearer {bearer}", url], ct);
        var rps = Rps().Match(output);
        if (code != 0 || !rps.Success)
        {
            throw new BenchException($"wrk failed on {url} (exit code {code}): {output}");
        }

        if (Non2xx().Match(output) is { Success: true } bad)
        {
            throw new BenchException($"{url} answered {bad.Groups[1].Value} requests with a status other than 2xx/3xx under wrk; the figure would be meaningless");
        }

        return new Result(
            Number(rps.Groups[1].Value),
            Millis(Percentile(output, "50%")),
            Millis(Percentile(output, "99%")),
            SocketErrors().Matches(output).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
    }

    private static string Percentile(string output, string which) =>
        Regex.Match(output, $@"^\s+{Regex.Escape(which)}\s+(\S+)", RegexOptions.Multiline).Groups[1].Value;

    private static double Millis(string text)
    {
        var m = Duration().Match(text);
        var value = Number(m.Groups[1].Value);
        return m.Groups[2].Value switch { "us" => value / 1000, "ms" => value, "s" => value * 1000, "m" => value * 60_000, _ => double.NaN };
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    // "Socket errors: connect 0, read 0, write 0, timeout 0"
    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"^([\d.]+)(us|ms|s|m)$")]
    private static partial Regex Duration();
}
