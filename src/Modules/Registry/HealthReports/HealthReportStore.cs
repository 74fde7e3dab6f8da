using System.Text.Json;
using StackExchange.Redis;

namespace AuroraNode.Modules.Registry.HealthReports;

/// <summary>The latest report of every node and a short history each, in Redis so the backup sees the same.</summary>
internal sealed class HealthReportStore(Modules.Redis.IRedis redis, HealthReportOptions options)
{
    private const string LatestKey = "aurora:health:latest";

    public async Task SaveAsync(HealthReport report)
    {
        var json = JsonSerializer.Serialize(report);
        var db = redis.Connection.GetDatabase();
        await db.HashSetAsync(LatestKey, report.Node, json);
        await db.ListLeftPushAsync(HistoryKey(report.Node), json);
        await db.ListTrimAsync(HistoryKey(report.Node), 0, options.History - 1);
    }

    public async Task<IReadOnlyDictionary<string, HealthReport>> LatestAsync()
    {
        var entries = await redis.Connection.GetDatabase().HashGetAllAsync(LatestKey);
        return entries.Select(e => Parse(e.Value)).OfType<HealthReport>().ToDictionary(r => r.Node);
    }

    public async Task<IReadOnlyList<HealthReport>> HistoryAsync(string node) =>
        (await redis.Connection.GetDatabase().ListRangeAsync(HistoryKey(node))).Select(Parse).OfType<HealthReport>().ToList();

    private static string HistoryKey(string node) => $"aurora:health:history:{node}";

    private static HealthReport? Parse(RedisValue value)
    {
        try
        {
            return JsonSerializer.Deserialize<HealthReport>(value.ToString());
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
