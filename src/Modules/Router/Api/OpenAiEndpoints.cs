using System.Text;
using System.Text.Json;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Routing;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Load;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Api;

/// <summary>OpenAI's chat completions and models endpoints, with OpenAI's error shape, so OpenAI SDKs work unchanged.</summary>
internal static class OpenAiEndpoints
{
    private const string Example = "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}";

    public static async Task<IResult> ChatCompletionsAsync(HttpContext http, LocalInference inference, TimeProvider time)
    {
        var ct = http.RequestAborted;
        var (body, error) = await RouterJson.ReadAsync<OpenAiChatRequest>(http.Request, Example, ct);
        if (body is null)
        {
            return Error(http, new InferenceError(400, error!));
        }

        if (string.IsNullOrWhiteSpace(body.Model))
        {
            return Error(http, new InferenceError(400, $"\"model\" is required, e.g. {Example}; GET /v1/models lists the models"), "model");
        }

        if (body.Messages is not { Count: > 0 } messages)
        {
            return Error(http, new InferenceError(400, $"\"messages\" must be a non-empty list, e.g. {Example}"), "messages");
        }

        if (messages.FirstOrDefault(m => m.Role is not ("system" or "developer" or "user" or "assistant" or "tool")) is { } bad)
        {
            return Error(http, new InferenceError(400, $"every message needs a \"role\" of system, developer, user, assistant or tool, got '{bad.Role}'"), "messages");
        }

        if (body.N is > 1)
        {
            return Error(http, new InferenceError(400, "\"n\" greater than 1 is not supported; send one request per completion"), "n");
        }

        if (RouterJson.Strings(body.Stop) is not { } stop)
        {
            return Error(http, new InferenceError(400, "\"stop\" must be a string or a list of strings"), "stop");
        }

        var defaults = new SamplingSettings();
        var sampling = new SamplingSettings(body.Temperature ?? 1.0f, body.TopK ?? defaults.TopK, body.TopP ?? 1.0f, body.Seed is { } seed and >= 0 ? (uint)seed : null);
        var max = body.MaxCompletionTokens ?? body.MaxTokens ?? int.MaxValue;
        var chat = messages.Select(m => new ChatMessage(m.Role == "developer" ? "system" : m.Role!, Text(m.Content))).ToList();
        var request = new InferenceRequest(body.Model, null, chat, max, sampling, stop, inference.Pool.Options.KeepAlive);

        var (run, failure, _) = await inference.StartAsync(request, () => InFlight.InSlot(http), ct);
        if (failure is not null)
        {
            return Error(http, failure);
        }

        var id = $"chatcmpl-{Guid.NewGuid():N}";
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        if (body.Stream != true)
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

                return Results.Json(
                    new
                    {
                        id,
                        @object = "chat.completion",
                        created,
                        model = body.Model,
                        system_fingerprint = "aurora-node",
                        choices = new[] { new { index = 0, message = new { role = "assistant", content = text.ToString() }, finish_reason = stats!.DoneReason } },
                        usage = Usage(stats),
                    },
                    RouterJson.Options);
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

        var includeUsage = body.StreamOptions?.IncludeUsage == true;
        return new StreamedResult(StreamedResult.Sse, run!, async (writer, token) =>
        {
            await writer.WriteAsync(Chunk(id, created, body.Model, new { role = "assistant", content = "" }, null), token);
            await foreach (var chunk in run!.ReadAsync(token))
            {
                if (chunk.Done is { } done)
                {
                    await writer.WriteAsync(Chunk(id, created, body.Model, new { }, done.DoneReason), token);
                    if (includeUsage)
                    {
                        await writer.WriteAsync(
                            new { id, @object = "chat.completion.chunk", created, model = body.Model, system_fingerprint = "aurora-node", choices = Array.Empty<object>(), usage = Usage(done) },
                            token);
                    }
                }
                else if (chunk.Text.Length > 0)
                {
                    await writer.WriteAsync(Chunk(id, created, body.Model, new { content = chunk.Text }, null), token);
                }
            }

            await writer.WriteRawAsync("[DONE]", token);
        });
    }

    public static IResult Models(LocalInference inference, MeshModels mesh, TimeProvider time) =>
        Results.Json(
            new
            {
                @object = "list",
                data = inference.Pool.Available().Select(m => new
                {
                    id = OllamaEndpoints.Tagged(m.Settings.Name),
                    @object = "model",
                    created = m.ModifiedAt.ToUnixTimeSeconds(),
                    owned_by = "library",
                }).Concat(mesh.Elsewhere().Select(m => new
                {
                    id = OllamaEndpoints.Tagged(m.Name),
                    @object = "model",
                    created = time.GetUtcNow().ToUnixTimeSeconds(),
                    owned_by = "mesh",
                })),
            },
            RouterJson.Options);

    /// <summary>OpenAI's error shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
    public static IResult Error(HttpContext http, InferenceError error, string? param = null)
    {
        if (error.RetryAfter is { } retry)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var (type, code) = error.Status switch
        {
            404 => ("invalid_request_error", "model_not_found"),
            503 => ("server_error", "service_unavailable"),
            >= 500 => ("server_error", (string?)null),
            _ => ("invalid_request_error", null),
        };
        return Results.Json(new { error = new { message = error.Message, type, param, code } }, RouterJson.Options, statusCode: error.Status);
    }

    private static object Chunk(string id, long created, string model, object delta, string? finishReason) =>
        new
        {
            id,
            @object = "chat.completion.chunk",
            created,
            model,
            system_fingerprint = "aurora-node",
            choices = new[] { new Choice(0, delta, finishReason) },
        };

    private static object Usage(RunStats s) => new { prompt_tokens = s.PromptTokens, completion_tokens = s.EvalTokens, total_tokens = s.PromptTokens + s.EvalTokens };

    // Content is a string, or a list of parts of which the text ones count here.
    private static string Text(JsonElement? content) => content?.ValueKind switch
    {
        JsonValueKind.String => content.Value.GetString()!,
        JsonValueKind.Array => string.Concat(content.Value.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            .Select(p => p.GetProperty("text").GetString())),
        _ => "",
    };

    // finish_reason is null until the last chunk, and OpenAI writes the null (so it is a record property, not left out).
    private sealed record Choice(int Index, object Delta, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? FinishReason);
}
