using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AuroraNode.Bench;

/// <summary>Runs wrk (Debian's package) and reads requests/s and latency percentiles from its output.</summary>
internal static partial class Wrk
{
    public sealed record Result(double RequestsPerSecond, double P50Ms, double P99Ms);

    public static async Task<Result> RunAsync(string url, TimeSpan duration, int connections = 32, int threads = 2)
    {
        var info = new ProcessStartInfo("wrk", $"-t{threads} -c{connections} -d{(int)duration.TotalSeconds}s --latency {url}") { RedirectStandardOutput = true };
        using var p = Process.Start(info) ?? throw new InvalidOperationException("wrk not found: apt-get install wrk");
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return new Result(
            double.Parse(Rps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Millis(Percentile(output, "50%")),
            Millis(Percentile(output, "99%")));
    }

    private static string Percentile(string output, string which) =>
        Regex.Match(output, $@"^\s+{which}\s+(\S+)", RegexOptions.Multiline).Groups[1].Value;

    private static double Millis(string text)
    {
        var m = Duration().Match(text);
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => value / 1000, "ms" => value, "s" => value * 1000, _ => double.NaN };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"([\d.]+)(us|ms|s)")]
    private static partial Regex Duration();
}
