using System.Diagnostics;
using System.Text.Json;
using AuroraNode.Tests.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>
/// A slowed test backend: a small Ollama-compatible server (GET /api/tags, POST /api/generate and /api/chat, NDJSON
/// or one JSON) that stands for an Ollama a node fronts. It writes one token every <see cref="TokenDelay"/>, reports
/// Ollama's figures in its last line, and can hold requests before their first token (<see cref="Hold"/>) or after it
/// (<see cref="StallAfterFirstToken"/>).
/// </summary>
public sealed class SlowBackend : IAsyncDisposable
{
    private readonly WebApplication app;
    private TaskCompletionSource gate = Open();
    private TaskCompletionSource stall = Open();
    private int requests;
    private int firstTokens;

    private SlowBackend(string model, TimeSpan tokenDelay)
    {
        Model = model;
        TokenDelay = tokenDelay;
        Port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        app = builder.Build();
        app.MapGet("/api/tags", () => Results.Json(new { models = new[] { new { name = model + ":latest", model = model + ":latest" } } }));
        app.MapPost("/api/generate", (HttpContext http) => GenerateAsync(http, chat: false));
        app.MapPost("/api/chat", (HttpContext http) => GenerateAsync(http, chat: true));
    }

    public string Model { get; }

    public TimeSpan TokenDelay { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Generation requests received.</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>Requests that got their first token out.</summary>
    public int FirstTokens => Volatile.Read(ref firstTokens);

    public static async Task<SlowBackend> StartAsync(string model, TimeSpan tokenDelay)
    {
        var backend = new SlowBackend(model, tokenDelay);
        await backend.app.StartAsync();
        return backend;
    }

    /// <summary>New requests wait before their first token until <see cref="Release"/>.</summary>
    public void Hold() => gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => gate.TrySetResult();

    /// <summary>New requests write one token and then wait (until <see cref="Release"/>).</summary>
    public void StallAfterFirstToken() => stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseStall() => stall.TrySetResult();

    /// <summary>The config of a node that fronts this server.</summary>
    public string BackendSection(string name, bool gpu = false, int slots = 1) =>
        $"  backends:\n    {name}:\n      kind: ollama\n      url: {Url}\n      slots: {slots}\n      gpu: {(gpu ? "true" : "false")}";

    public async ValueTask DisposeAsync()
    {
        Release();
        ReleaseStall();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task GenerateAsync(HttpContext http, bool chat)
    {
        var ct = http.RequestAborted;
        Interlocked.Increment(ref requests);
        using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
        var root = body.RootElement;
        var stream = !root.TryGetProperty("stream", out var s) || s.ValueKind != JsonValueKind.False;
        var tokens = root.TryGetProperty("options", out var o) && o.TryGetProperty("num_predict", out var n) ? n.GetInt32() : 8;
        var started = Stopwatch.GetTimestamp();
        await gate.Task.WaitAsync(ct);
        var promptNs = 1_000_000L; // 1 ms: time held at the gate is queueing, not prompt processing
        http.Response.ContentType = stream ? "application/x-ndjson" : "application/json";
        var generating = Stopwatch.GetTimestamp();
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < tokens; i++)
        {
            await Task.Delay(TokenDelay, ct);
            var piece = $"t{i} ";
            text.Append(piece);
            if (stream)
            {
                await WriteLineAsync(http, Piece(chat, piece, done: false), ct);
            }

            if (i == 0)
            {
                Interlocked.Increment(ref firstTokens);
                await stall.Task.WaitAsync(ct);
            }
        }

        var final = new Dictionary<string, object?>(Piece(chat, stream ? "" : text.ToString(), done: true))
        {
            ["done_reason"] = "length",
            ["prompt_eval_count"] = 4,
            ["prompt_eval_duration"] = Math.Max(1, promptNs),
            ["eval_count"] = tokens,
            ["eval_duration"] = Stopwatch.GetElapsedTime(generating).Ticks * 100,
            ["total_duration"] = Stopwatch.GetElapsedTime(started).Ticks * 100,
        };
        await WriteLineAsync(http, final, ct);
    }

    private Dictionary<string, object?> Piece(bool chat, string text, bool done) => chat
        ? new() { ["model"] = Model, ["created_at"] = DateTime.UtcNow, ["message"] = new { role = "assistant", content = text }, ["done"] = done }
        : new() { ["model"] = Model, ["created_at"] = DateTime.UtcNow, ["response"] = text, ["done"] = done };

    private static async Task WriteLineAsync(HttpContext http, object value, CancellationToken ct)
    {
        await http.Response.WriteAsync(JsonSerializer.Serialize(value) + "\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
