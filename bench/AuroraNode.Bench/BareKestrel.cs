using System.Net;
using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>
/// The peer of the HTTP and memory figures: a slim Kestrel with one endpoint answering JSON of the same shape and
/// size as the node's GET /api/v1/node (about 1 KB, four modules), and no module, database or middleware.
/// </summary>
internal static class BareKestrel
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        var app = builder.Build();
        var started = TimeProvider.System.GetUtcNow();
        var channels = new[] { "aurora:ai:task", "aurora:events:global", "aurora:events:node:bench", "aurora:events:role:lead", "aurora:system:alert" };
        app.MapGet("/api/v1/node", () => TypedResults.Ok(new
        {
            Name = "bench",
            Roles = new[] { "lead" },
            Version = "0.1.0",
            StartedAt = started,
            UptimeSeconds = (long)(TimeProvider.System.GetUtcNow() - started).TotalSeconds,
            AdvertiseAddress = "127.0.0.1",
            Api = $"http://127.0.0.1:{port}",
            DataDir = "/tmp/aurora-bench/0123abcd/data",
            Pid = Environment.ProcessId,
            Starts = 1,
            Ready = true,
            Modules = new[]
            {
                Module("postgres", "PostgreSQL answering at 127.0.0.1:15433/aurora", new()
                {
                    ["managed"] = true, ["target"] = "127.0.0.1:15433/aurora", ["migrations_applied"] = true, ["pid"] = 4063,
                    ["restarts"] = 0, ["version"] = 15, ["in_recovery"] = false,
                }),
                Module("redis", "Redis answering at 127.0.0.1:16380", new()
                {
                    ["managed"] = true, ["target"] = "127.0.0.1:16380", ["pid"] = 4071, ["restarts"] = 0,
                }),
                Module("eventbus", "carrying events on 5 channels", new() { ["channels"] = channels, ["queued"] = 0 }),
                Module("registry", "1 nodes known", new() { ["nodes"] = 1 }),
            },
        }));
        app.MapGet("/health/ready", () => TypedResults.Ok(new { status = "ready" }));
        if (Console.IsInputRedirected)
        {
            // Started by the runner: its end closes our stdin, so a killed runner leaves no peer behind.
            _ = Task.Run(async () =>
            {
                await Console.In.ReadToEndAsync();
                app.Lifetime.StopApplication();
            });
        }

        await app.RunAsync();
    }

    private static ModuleInfo Module(string name, string detail, Dictionary<string, object?> data) => new(name, true, "running", detail, data);

    private sealed record ModuleInfo(string Name, bool Loaded, string State, string Detail, Dictionary<string, object?> Data);
}
