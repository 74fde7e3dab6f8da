using System.Diagnostics;
using Npgsql;

namespace AuroraNode.Bench;

/// <summary>
/// Commit → visible on a replica: commits one row on the primary, then asks the replica for it on a connection of
/// its own until it is there; one sample is the time from the commit's acknowledgement to the first answer that
/// has the row. Samples for a given time, a few milliseconds apart.
/// </summary>
internal static class VisibilityProbe
{
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS public.visibility_probe (id bigint PRIMARY KEY)";

    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(10);

    public static async Task<List<double>> SampleAsync(string primary, string replica, TimeSpan duration, CancellationToken ct)
    {
        await using var writes = new NpgsqlConnection(primary);
        await writes.OpenAsync(ct);
        await using var reads = new NpgsqlConnection(replica);
        await reads.OpenAsync(ct);
        await using (var create = new NpgsqlCommand(CreateTable + "; TRUNCATE public.visibility_probe", writes))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        await using var insert = new NpgsqlCommand("INSERT INTO public.visibility_probe (id) VALUES ($1)", writes) { Parameters = { new() { Value = 0L } } };
        await using var seen = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM public.visibility_probe WHERE id = $1)", reads) { Parameters = { new() { Value = 0L } } };
        await WaitForTableAsync(reads, ct);
        await insert.PrepareAsync(ct);
        await seen.PrepareAsync(ct);

        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        for (long id = 1; clock.Elapsed < duration; id++)
        {
            insert.Parameters[0].Value = id;
            seen.Parameters[0].Value = id;
            await insert.ExecuteNonQueryAsync(ct);
            var committed = Stopwatch.GetTimestamp();
            while (!(bool)(await seen.ExecuteScalarAsync(ct))!)
            {
                if (Stopwatch.GetElapsedTime(committed) > GiveUp)
                {
                    throw new BenchException($"row {id} committed on the primary was not visible on the replica after {GiveUp.TotalSeconds} s");
                }
            }

            samples.Add(Percentile.Ms(committed, Stopwatch.GetTimestamp()));
            await Task.Delay(Gap, ct);
        }

        return samples;
    }

    private static async Task WaitForTableAsync(NpgsqlConnection reads, CancellationToken ct)
    {
        await FailoverBench.WaitUntilAsync(async () =>
        {
            await using var cmd = new NpgsqlCommand("SELECT to_regclass('public.visibility_probe') IS NOT NULL", reads);
            return (bool)(await cmd.ExecuteScalarAsync(ct))!;
        }, "the probe table reaches the replica", ct);
    }
}
