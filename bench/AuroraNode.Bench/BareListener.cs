using System.Text.Json;
using StackExchange.Redis;

namespace AuroraNode.Bench;

/// <summary>
/// The peer of the CPU figures: a process that only subscribes to a Redis channel with StackExchange.Redis and counts
/// what arrives; with <c>--touch KEY</c> it also does what the lead does with a heartbeat (parse the envelope, HSET
/// KEY node timestamp). Runner protocol: the Redis configuration (password included) comes in the environment, not
/// on the command line; it writes "ready" once subscribed, answers each "count" line on stdin with the count, and
/// exits when stdin closes.
/// </summary>
internal static class BareListener
{
    public const string RedisVariable = "AURORA_BENCH_REDIS";

    public static async Task<int> RunAsync(string[] args)
    {
        var redis = Environment.GetEnvironmentVariable(RedisVariable);
        var (channel, touch) = args switch
        {
            ["--channel", var c] => (c, (string?)null),
            ["--channel", var c, "--touch", var key] => (c, key),
            _ => (null, null),
        };
        if (redis is null || channel is null)
        {
            await Console.Error.WriteLineAsync($"usage: {RedisVariable}=CONFIG bare-listener --channel CHANNEL [--touch HASHKEY]");
            return 2;
        }

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var db = connection.GetDatabase();
        long count = 0;
        var queue = await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
        queue.OnMessage(async message =>
        {
            if (touch is not null)
            {
                using var envelope = JsonDocument.Parse(message.Message.ToString());
                var root = envelope.RootElement;
                var at = root.GetProperty("timestamp").GetDateTimeOffset();
                await db.HashSetAsync(touch, root.GetProperty("data").GetProperty("node").GetString(), at.ToUnixTimeMilliseconds());
            }

            Interlocked.Increment(ref count);
        });
        Console.WriteLine("ready");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "count")
            {
                Console.WriteLine(Interlocked.Read(ref count));
            }
        }

        return 0;
    }
}
