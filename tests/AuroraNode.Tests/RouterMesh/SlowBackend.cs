using System.Diagnostics;
using System.Text.Json;
using AuroraNode.Tests.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>
/// A slowed test backend: a small Ollama- and OpenAI-compatible server (GET /api/tags, POST /api/generate and /api/chat,
/// NDJSON or one JSON; GET /v1/models, POST /v1/chat/completions and /v1/completions, SSE or one JSON, usage in the
/// stream when asked with stream_options, a tool call when given tools, OpenAI's 404 for another model and 400 for a temperature above 2) that stands for a server a node fronts. It writes one token every <see cref="TokenDelay"/>, reports
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
    private JsonElement lastOpenAiRequest;
    private string? lastOpenAiPath;

    private SlowBackend(string model, TimeSpan tokenDelay)
    {
        Model = model;
        TokenDelay = tokenDelay;
        Port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        app = builder.Build();
        app.MapGet("/api/tags", () => Results.Json(new
        {
            models = new[]
            {
                new
                {
                    name = model + ":latest",
                    model = model + ":latest",
                    modified_at = ModifiedAt,
                    size = Size,
                    digest = Digest,
                    details = new { parent_model = "", format = "gguf", family = "llama", families = new[] { "llama" }, parameter_size = "8.0B", quantization_level = "Q4_K_M" },
                },
            },
        }));
        app.MapPost("/api/generate", (HttpContext http) => GenerateAsync(http, chat: false));
        app.MapPost("/api/chat", (HttpContext http) => GenerateAsync(http, chat: true));
        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = model, @object = "model" } } }));
        app.MapPost("/v1/chat/completions", (HttpContext http) => ChatCompletionsAsync(http, chat: true));
        app.MapPost("/v1/completions", (HttpContext http) => ChatCompletionsAsync(http, chat: false));
    }

    public string Model { get; }

    /// <summary>What /api/tags says of the model, as Ollama lists a pulled one.</summary>
    public long Size => 4_920_753_328;

    public string Digest => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Model + Port)));

    public DateTimeOffset ModifiedAt { get; } = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public TimeSpan TokenDelay { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Generation requests received.</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>As an OpenAI server: its OpenAI endpoints know the model only by its own name (an Ollama server also takes "m:latest").</summary>
    public bool OpenAiNamesOnly { get; set; }

    /// <summary>The body and path of the last OpenAI-shaped request (/v1/chat/completions or /v1/completions).</summary>
    public (string? Path, JsonElement Body) LastOpenAiRequest => (lastOpenAiPath, lastOpenAiRequest);

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
    public string BackendSection(string name, bool gpu = false, int slots = 1) => "  backends:\n" + BackendEntry(name, "ollama", gpu, slots);

    /// <summary>One entry under <c>backends:</c>; with <paramref name="models"/> the node serves those names (this server answers any).</summary>
    public string BackendEntry(string name, string kind, bool gpu = false, int slots = 1, params string[] models) =>
        $"    {name}:\n      kind: {kind}\n      url: {Url}\n      slots: {slots}\n      gpu: {(gpu ? "true" : "false")}" +
        (models.Length > 0 ? $"\n      models: [{string.Join(", ", models)}]" : "");

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

    private async Task ChatCompletionsAsync(HttpContext http, bool chat)
    {
        var ct = http.RequestAborted;
        Interlocked.Increment(ref requests);
        using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
        var root = body.RootElement;
        lastOpenAiRequest = root.Clone();
        lastOpenAiPath = http.Request.Path;
        // As OpenAI does: an unknown model is a 404, a temperature above 2 a 400, both in its error shape.
        var named = root.GetProperty("model").GetString();
        if (named != Model && (OpenAiNamesOnly || named != Model + ":latest"))
        {
            http.Response.StatusCode = 404;
            await http.Response.WriteAsJsonAsync(new { error = new { message = $"The model `{named}` does not exist", type = "invalid_request_error", code = "model_not_found" } }, ct);
            return;
        }

        if (root.TryGetProperty("temperature", out var t) && t.GetDouble() > 2)
        {
            http.Response.StatusCode = 400;
            await http.Response.WriteAsJsonAsync(new { error = new { message = $"{t.GetDouble()} is greater than the maximum of 2 - 'temperature'", type = "invalid_request_error", param = "temperature" } }, ct);
            return;
        }

        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var usageAsked = root.TryGetProperty("stream_options", out var so) && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        var tokens = root.TryGetProperty("max_tokens", out var n) ? n.GetInt32() : root.TryGetProperty("max_completion_tokens", out var mc) ? mc.GetInt32() : 8;
        var kind = chat ? "chat.completion" : "text_completion";
        await gate.Task.WaitAsync(ct);
        if (chat && root.TryGetProperty("tools", out var tools) && tools.GetArrayLength() > 0 && root.GetProperty("messages").EnumerateArray().Last().GetProperty("role").GetString() != "tool")
        {
            await CallToolAsync(http, tools[0].GetProperty("function").GetProperty("name").GetString()!, stream, ct);
            return;
        }

        http.Response.ContentType = stream ? "text/event-stream" : "application/json";
        if (stream && chat)
        {
            await WriteEventAsync(http, new { @object = "chat.completion.chunk", model = Model, choices = new[] { new { index = 0, delta = (object)new { role = "assistant", content = "" }, finish_reason = (string?)null } } }, ct);
        }

        var text = new System.Text.StringBuilder();
        for (var i = 0; i < tokens; i++)
        {
            await Task.Delay(TokenDelay, ct);
            text.Append($"t{i} ");
            if (stream)
            {
                var last = i == tokens - 1 ? "length" : null;
                await WriteEventAsync(http, chat
                    ? new { @object = "chat.completion.chunk", model = Model, choices = new[] { new { index = 0, delta = (object)new { content = $"t{i} " }, finish_reason = last } } }
                    : new { @object = kind, model = Model, choices = new[] { new { index = 0, text = $"t{i} ", finish_reason = last } } }, ct);
            }

            if (i == 0)
            {
                Interlocked.Increment(ref firstTokens);
                await stall.Task.WaitAsync(ct);
            }
        }

        var usage = new { prompt_tokens = 4, completion_tokens = tokens, total_tokens = tokens + 4 };
        if (stream)
        {
            if (usageAsked)
            {
                await WriteEventAsync(http, new { @object = kind + (chat ? ".chunk" : ""), model = Model, choices = Array.Empty<object>(), usage }, ct);
            }

            await http.Response.WriteAsync("data: [DONE]\n\n", ct);
            return;
        }

        await http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            @object = kind,
            model = Model,
            choices = new[] { chat ? (object)new { index = 0, message = new { role = "assistant", content = text.ToString() }, finish_reason = "length" } : new { index = 0, text = text.ToString(), finish_reason = "length" } },
            usage,
        }), ct);
    }

    // As OpenAI does: the call's name first, its arguments in pieces, finish_reason tool_calls.
    private async Task CallToolAsync(HttpContext http, string name, bool stream, CancellationToken ct)
    {
        http.Response.ContentType = stream ? "text/event-stream" : "application/json";
        var usage = new { prompt_tokens = 4, completion_tokens = 7, total_tokens = 11 };
        if (!stream)
        {
            await http.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                @object = "chat.completion",
                model = Model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_x1", type = "function", function = new { name, arguments = "{\"city\":\"Paris\"}" } } } }, finish_reason = "tool_calls" } },
                usage,
            }), ct);
            return;
        }

        object Part(object call, string? finish) => new { @object = "chat.completion.chunk", model = Model, choices = new[] { new { index = 0, delta = new { tool_calls = new[] { call } }, finish_reason = finish } } };
        await WriteEventAsync(http, Part(new { index = 0, id = "call_x1", type = "function", function = new { name, arguments = "" } }, null), ct);
        await WriteEventAsync(http, Part(new { index = 0, function = new { arguments = "{\"city\":" } }, null), ct);
        await WriteEventAsync(http, Part(new { index = 0, function = new { arguments = "\"Paris\"}" } }, "tool_calls"), ct);
        await WriteEventAsync(http, new { @object = "chat.completion.chunk", model = Model, choices = Array.Empty<object>(), usage }, ct);
        await http.Response.WriteAsync("data: [DONE]\n\n", ct);
    }

    private static async Task WriteEventAsync(HttpContext http, object value, CancellationToken ct)
    {
        await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(value) + "\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
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
