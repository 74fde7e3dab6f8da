namespace AuroraNode.Bench;

/// <summary>The peer for the HTTP and memory figures: Kestrel with one endpoint answering JSON of the same shape and size as GET /api/v1/node.</summary>
internal static class BareKestrel
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
        var app = builder.Build();
        var started = DateTimeOffset.UtcNow;
        var data = new Dictionary<string, object?> { ["managed"] = true, ["target"] = "127.0.0.1:5433/aurora", ["pid"] = 4063, ["restarts"] = 0 };
        app.MapGet("/api/v1/node", () => TypedResults.Ok(new
        {
            Name = "bare",
            Roles = new[] { "lead" },
            Version = "0.1.0",
            StartedAt = started,
            UptimeSeconds = (long)(DateTimeOffset.UtcNow - started).TotalSeconds,
            AdvertiseAddress = "127.0.0.1",
            Api = "http://127.0.0.1:8700",
            DataDir = "/tmp/aurora-bench/data",
            Pid = Environment.ProcessId,
            Starts = 1,
            Ready = true,
            Modules = new[]
            {
                new { Name = "postgres", Loaded = true, State = "running", Detail = "PostgreSQL answering at 127.0.0.1:5433/aurora", Data = data },
                new { Name = "redis", Loaded = true, State = "running", Detail = "Redis answering at 127.0.0.1:6380", Data = data },
            },
        }));
        app.MapGet("/health/ready", () => TypedResults.Ok());
        await app.RunAsync();
    }
}
