using System.Text;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Routing;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Models;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Api;

/// <summary>Ollama's generation API with its JSON shapes and its error shape <c>{"error": "..."}</c>, so Ollama clients work unchanged.</summary>
internal static class OllamaEndpoints
{
    private const string GenerateExample = "{\"model\": \"tiny\", \"prompt\": \"Why is the sky blue?\"}";
    private const string ChatExample = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}";

    public static async Task<IResult> GenerateAsync(HttpContext http, LocalInference inference, TimeProvider time)
    {
        var (body, error) = await RouterJson.ReadAsync<OllamaGenerateRequest>(http.Request, GenerateExample, http.RequestAborted);
        if (body is null)
        {
            return Error(http, new InferenceError(400, error!));
        }

        if (string.IsNullOrWhiteSpace(body.Model))
        {
            return Error(http, new InferenceError(400, $"\"model\" is required, e.g. {GenerateExample}; GET /api/tags lists the models"));
        }

        if (Settings(body.Options, body.KeepAlive, inference.Pool.Options.KeepAlive) is not { } settings)
        {
            return Error(http, new InferenceError(400, OptionsProblem));
        }

        var request = new InferenceRequest(body.Model, body.Prompt, null, settings.MaxTokens, settings.Sampling, settings.Stop, settings.KeepAlive, body.Raw ?? false, body.System);
        return await RespondAsync(http, inference, request, body.Stream ?? true, chat: false, time);
    }

    public static async Task<IResult> ChatAsync(HttpContext http, LocalInference inference, TimeProvider time)
    {
        var (body, error) = await RouterJson.ReadAsync<OllamaChatRequest>(http.Request, ChatExample, http.RequestAborted);
        if (body is null)
        {
            return Error(http, new InferenceError(400, error!));
        }

        if (string.IsNullOrWhiteSpace(body.Model))
        {
            return Error(http, new InferenceError(400, $"\"model\" is required, e.g. {ChatExample}; GET /api/tags lists the models"));
        }

        if (body.Messages?.FirstOrDefault(m => m.Role is not ("system" or "user" or "assistant" or "tool")) is { } bad)
        {
            return Error(http, new InferenceError(400, $"every message needs a \"role\" of system, user, assistant or tool, got '{bad.Role}'"));
        }

        if (Settings(body.Options, body.KeepAlive, inference.Pool.Options.KeepAlive) is not { } settings)
        {
            return Error(http, new InferenceError(400, OptionsProblem));
        }

        var messages = (body.Messages ?? []).Select(m => new ChatMessage(m.Role!, m.Content ?? "")).ToList();
        var request = new InferenceRequest(body.Model, null, messages, settings.MaxTokens, settings.Sampling, settings.Stop, settings.KeepAlive);
        return await RespondAsync(http, inference, request, body.Stream ?? true, chat: true, time);
    }

    /// <summary>
    /// This node's model files, with the details their GGUF headers give (loaded or not), then the models it serves
    /// through its servers or other nodes (their size, digest and details as published; a digest from the name where
    /// none is). A file not hashed yet is listed with its provisional digest once <see cref="ModelDigests.ListingWait"/>
    /// has passed: a new multi-GB file never holds the listing up.
    /// </summary>
    public static async Task<IResult> TagsAsync(LocalInference inference, MeshModels mesh, ModelDetailsCache details, TimeProvider time, CancellationToken ct)
    {
        var files = inference.Pool.Available();
        var deadline = Task.Delay(ModelDigests.ListingWait, time, ct);
        var digests = await Task.WhenAll(files.Select(m => ModelDigests.ListedAsync(m.Settings.Path, m.Size, m.ModifiedAt, deadline)));
        return Results.Json(
            new
            {
                models = files.Select((m, i) => new
                {
                    name = Tagged(m.Settings.Name),
                    model = Tagged(m.Settings.Name),
                    modified_at = m.ModifiedAt.UtcDateTime,
                    size = m.Size,
                    digest = digests[i],
                    details = Details(details.Of(m.Settings.Path, m.Size, m.ModifiedAt)),
                }).Concat(mesh.Elsewhere().Select(m => new
                {
                    name = Tagged(m.Name),
                    model = Tagged(m.Name),
                    modified_at = (m.Facts?.ModifiedAt ?? time.GetUtcNow()).UtcDateTime,
                    size = m.Facts?.Size ?? 0L,
                    digest = m.Facts?.Digest is { Length: > 0 } digest ? digest : DigestCache.OfNameOnly(m.Name),
                    details = m.Facts is { } f ? Details(f.Family, f.ParameterSize, f.QuantizationLevel) : Details("", "", ""),
                })),
            },
            RouterJson.Options);
    }

    public static async Task<IResult> PsAsync(LocalInference inference, ModelDetailsCache details, TimeProvider time, CancellationToken ct)
    {
        var loaded = inference.Pool.Loaded().Where(m => m.Model is not null).Select(m => (Model: m, File: new FileInfo(m.Settings.Path))).ToList();
        var deadline = Task.Delay(ModelDigests.ListingWait, time, ct);
        var digests = await Task.WhenAll(loaded.Select(m => m.File.Exists ? ModelDigests.ListedAsync(m.File.FullName, m.File.Length, m.File.LastWriteTimeUtc, deadline) : Task.FromResult("")));
        return Results.Json(
            new
            {
                models = loaded.Select((entry, i) =>
                {
                    var (m, file) = entry;
                    return new
                    {
                        name = Tagged(m.Settings.Name),
                        model = Tagged(m.Settings.Name),
                        size = (long)m.Model!.SizeBytes,
                        digest = digests[i],
                        details = file.Exists && details.Of(file.FullName, file.Length, file.LastWriteTimeUtc) is { } header ? Details(header) : Details(m.Model),
                        // Like Ollama: a model kept forever expires far in the future.
                        expires_at = (m.ExpiresAt ?? time.GetUtcNow().AddYears(100)).UtcDateTime,
                        size_vram = 0L,
                        context_length = m.Settings.Context,
                    };
                }),
            },
            RouterJson.Options);
    }

    /// <summary>Ollama names a model without a tag "name:latest".</summary>
    public static string Tagged(string name) => name.Contains(':', StringComparison.Ordinal) ? name : name + ":latest";

    public static IResult Error(HttpContext http, InferenceError error)
    {
        if (error.RetryAfter is { } retry)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Results.Json(new { error = error.Message }, RouterJson.Options, statusCode: error.Status);
    }

    private const string OptionsProblem =
        "\"options\" or \"keep_alive\" has a bad value: temperature, top_p are numbers, top_k, seed, num_predict whole numbers, " +
        "stop a list of strings, keep_alive a duration like \"5m\" or a number of seconds";

    private static async Task<IResult> RespondAsync(HttpContext http, LocalInference inference, InferenceRequest request, bool stream, bool chat, TimeProvider time)
    {
        var ct = http.RequestAborted;
        var (run, error, loadOnly) = await inference.StartAsync(request, () => InFlight.InSlot(http), ct);
        if (error is not null)
        {
            return Error(http, error);
        }

        if (loadOnly is not null)
        {
            // Ollama: an empty prompt only loads the model, or unloads it with keep_alive 0.
            var loadDuration = loadOnly.LoadDuration;
            loadOnly.Dispose();
            var reason = request.KeepAlive == TimeSpan.Zero ? "unload" : "load";
            return Results.Json(Final(request.Model, chat, "", new RunStats(0, TimeSpan.Zero, 0, TimeSpan.Zero, loadDuration, loadDuration, reason), time), RouterJson.Options);
        }

        if (!stream)
        {
            try
            {
                var text = new StringBuilder();
                RunStats? stats = null;
                await foreach (var chunk in run!.ReadAsync(ct))
                {
                    text.Append(chunk.Text);
                    stats = chunk.Done ?? stats;
                }

                return Results.Json(Final(request.Model, chat, text.ToString(), stats!, time), RouterJson.Options);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return Results.Empty;
            }
            finally
            {
                await run!.DisposeAsync();
            }
        }

        return new StreamedResult(StreamedResult.Ndjson, run!, async (writer, token) =>
        {
            await foreach (var chunk in run!.ReadAsync(token))
            {
                if (chunk.Done is { } done)
                {
                    await writer.WriteAsync(Final(request.Model, chat, "", done, time), token);
                }
                else if (chunk.Text.Length > 0)
                {
                    await writer.WriteAsync(Piece(request.Model, chat, chunk.Text, time), token);
                }
            }
        });
    }

    /// <summary>One streamed piece of an answer, as Ollama writes it (chat: a message; generate: a response).</summary>
    internal static object Piece(string model, bool chat, string text, TimeProvider time) => chat
        ? new { model, created_at = time.GetUtcNow().UtcDateTime, message = new { role = "assistant", content = text }, done = false }
        : new { model, created_at = time.GetUtcNow().UtcDateTime, response = text, done = false };

    /// <summary>The last line of an answer (or the whole of one not streamed), with Ollama's figures.</summary>
    internal static object Final(string model, bool chat, string text, RunStats s, TimeProvider time) => chat
        ? new
        {
            model,
            created_at = time.GetUtcNow().UtcDateTime,
            message = new { role = "assistant", content = text },
            done = true,
            done_reason = s.DoneReason,
            total_duration = RouterJson.Nanoseconds(s.TotalDuration),
            load_duration = RouterJson.Nanoseconds(s.LoadDuration),
            prompt_eval_count = s.PromptTokens,
            prompt_eval_duration = RouterJson.Nanoseconds(s.PromptDuration),
            eval_count = s.EvalTokens,
            eval_duration = RouterJson.Nanoseconds(s.EvalDuration),
        }
        : (object)new
        {
            model,
            created_at = time.GetUtcNow().UtcDateTime,
            response = text,
            done = true,
            done_reason = s.DoneReason,
            total_duration = RouterJson.Nanoseconds(s.TotalDuration),
            load_duration = RouterJson.Nanoseconds(s.LoadDuration),
            prompt_eval_count = s.PromptTokens,
            prompt_eval_duration = RouterJson.Nanoseconds(s.PromptDuration),
            eval_count = s.EvalTokens,
            eval_duration = RouterJson.Nanoseconds(s.EvalDuration),
        };

    private static object Details(ModelDetails? details) =>
        details is null ? Details("", "", "") : Details(details.Family, details.ParameterSize, details.QuantizationLevel);

    // A loaded model whose header could not be read: what llama.cpp says of it.
    private static object Details(LlamaModel? model)
    {
        // llama.cpp describes a model as "<family> <size> <quantization>", e.g. "llama 8B Q4_K - Medium".
        var parts = model?.Description.Split(' ', 3) ?? [];
        return Details(parts.ElementAtOrDefault(0) ?? "", parts.ElementAtOrDefault(1) ?? "", parts.ElementAtOrDefault(2) ?? "");
    }

    private static object Details(string family, string parameterSize, string quantizationLevel) => new
    {
        parent_model = "",
        format = "gguf",
        family,
        families = family.Length > 0 ? new[] { family } : null,
        parameter_size = parameterSize,
        quantization_level = quantizationLevel,
    };

    private static RequestSettings? Settings(OllamaOptions? options, System.Text.Json.JsonElement? keepAlive, TimeSpan? defaultKeepAlive)
    {
        if (!KeepAlive.TryRead(keepAlive, defaultKeepAlive, out var keep) || RouterJson.Strings(options?.Stop) is not { } stop)
        {
            return null;
        }

        var defaults = new SamplingSettings();
        var sampling = new SamplingSettings(
            options?.Temperature ?? defaults.Temperature,
            options?.TopK ?? defaults.TopK,
            options?.TopP ?? defaults.TopP,
            options?.Seed is { } seed and >= 0 ? (uint)seed : null);
        var max = options?.NumPredict is { } n and >= 0 ? n : int.MaxValue;
        return new RequestSettings(sampling, max, stop, keep);
    }

    private sealed record RequestSettings(SamplingSettings Sampling, int MaxTokens, IReadOnlyList<string> Stop, TimeSpan? KeepAlive);
}
