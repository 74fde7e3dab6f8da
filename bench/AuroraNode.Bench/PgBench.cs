using System.Globalization;
using System.Text.RegularExpressions;

namespace AuroraNode.Bench;

/// <summary>pgbench's TPC-B-like load (PostgreSQL's own load generator) against a primary, from the binaries the node uses.</summary>
internal static partial class PgBench
{
    private const int Scale = 5;
    private const int Clients = 4;

    private static string Binary => Path.Combine(Repo.PostgresBin, "pgbench");

    public static async Task InitializeAsync(string conninfo, CancellationToken ct)
    {
        var (code, output) = await Command.RunAsync([Binary, "-i", "-q", "-s", $"{Scale}", conninfo], ct);
        if (code != 0)
        {
            throw new BenchException($"pgbench -i failed with code {code}: {output}");
        }
    }

    /// <summary>Runs the load for <paramref name="duration"/> and returns the transactions per second pgbench reports.</summary>
    public static async Task<double> RunAsync(string conninfo, TimeSpan duration, CancellationToken ct)
    {
        var (code, output) = await Command.RunAsync([Binary, "-n", "-c", $"{Clients}", "-j", "2", "-T", $"{(int)duration.TotalSeconds}", conninfo], ct);
        if (code != 0 || Tps().Match(output) is not { Success: true } tps)
        {
            throw new BenchException($"pgbench failed with code {code}: {output}");
        }

        return double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public static string Describe => $"pgbench TPC-B-like, scale {Scale}, {Clients} clients, 2 threads";

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex Tps();
}
