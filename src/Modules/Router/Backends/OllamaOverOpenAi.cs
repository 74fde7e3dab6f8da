using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuroraNode.Modules.Router.Api;
using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// Serves an Ollama request (/api/generate, /api/chat) with an OpenAI-compatible server: translated to its API
/// (<see cref="OllamaToOpenAi"/>), its streamed answer written back as Ollama's NDJSON pieces and final line, or as one
/// JSON for <c>stream: false</c>. The counts come from the server's usage, the durations are measured here: the prompt
/// until the first token, the generation after it. Like <see cref="Relay"/>, nothing reaches the client before the
/// first token, so a server that fails before it can be replaced by the next node.
/// </summary>
internal sealed class OllamaOverOpenAi(BackendClient client, SpeedBook speeds, TimeProvider time)
{
    public async Task<RelayResult> ServeAsync(Backend backend, string path, byte[] body, RequestShape shape, HttpContext http, TimeSpan firstByteTimeout, Action beforeStart, CancellationToken ct)
    {
        var received = Stopwatch.GetTimestamp();
        var request = OllamaToOpenAi.Translate(path, body, backend.ServerName(shape.Model));
        if (request.Problem is { } problem)
        {
            return await AnswerAsync(http, beforeStart, OllamaEndpoints.Error(http, new InferenceError(400, problem)), 400);
        }

        if (request.LoadReason is { } reason)
        {
            var none = new RunStats(0, TimeSpan.Zero, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, reason);
            return await AnswerAsync(http, beforeStart, Results.Json(OllamaEndpoints.Final(request.Model, request.Chat, "", none, time), RouterJson.Options), 200);
        }

        IDisposable slot;
        try
        {
            slot = await backend.TakeSlotAsync(shape.Model, ct);
            InFlight.InSlot(http);
        }
        catch (QueueFullException e)
        {
            return RelayResult.Failed(e.Message, 503);
        }

        using (slot)
        {
            var held = Stopwatch.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connect.CancelAfter(firstByteTimeout);
                response = await client.PostAsync(backend.Settings.Url, request.Path, request.Body, connect.Token);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                return RelayResult.Failed($"backend {backend.Settings.Name} at {backend.Settings.Url}: {(e is OperationCanceledException ? "no answer in time" : e.Message)}");
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status >= 400)
                {
                    return await ErrorAsync(backend, response, request, http, beforeStart, firstByteTimeout, ct);
                }

                var result = await StreamAsync(backend, response, request, shape, http, beforeStart, firstByteTimeout, received, held, ct);
                return result;
            }
        }
    }

    private async Task<RelayResult> StreamAsync(
        Backend backend, HttpResponseMessage response, Translated request, RequestShape shape, HttpContext http, Action beforeStart, TimeSpan firstByteTimeout, long received, long held, CancellationToken ct)
    {
        var eventStream = response.Content.Headers.ContentType?.MediaType == StreamedResult.Sse;
        var text = new StringBuilder();
        StreamedResult.Writer? writer = null;
        var pieces = 0;
        var toolCalls = new ToolCallBuilder();
        string? finish = null;
        int? promptTokens = null, completionTokens = null;
        long firstToken = 0;
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        reading.CancelAfter(firstByteTimeout);
        try
        {
            var first = true;
            await foreach (var piece in OpenAiPieces.ReadAsync(await response.Content.ReadAsStreamAsync(reading.Token), eventStream, reading.Token))
            {
                if (first)
                {
                    // The server answers: from here on it may take as long as it generates.
                    reading.CancelAfter(Timeout.InfiniteTimeSpan);
                    first = false;
                }

                finish = piece.FinishReason ?? finish;
                promptTokens = piece.PromptTokens ?? promptTokens;
                completionTokens = piece.CompletionTokens ?? completionTokens;
                if (piece.ToolCalls is { Count: > 0 } parts)
                {
                    toolCalls.Add(parts);
                    firstToken = firstToken == 0 ? (eventStream ? Stopwatch.GetTimestamp() : held) : firstToken;
                }

                if (piece.Text.Length == 0)
                {
                    continue;
                }

                firstToken = firstToken == 0 ? (eventStream ? Stopwatch.GetTimestamp() : held) : firstToken;
                pieces++;
                if (!request.Stream)
                {
                    text.Append(piece.Text);
                    continue;
                }

                writer ??= await StartAsync(http, beforeStart, ct);
                await writer.WriteAsync(OllamaEndpoints.Piece(request.Model, request.Chat, piece.Text, time), ct);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException or InvalidDataException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var problem = $"backend {backend.Settings.Name} at {backend.Settings.Url}: " + e switch
            {
                OperationCanceledException => $"no answer within {firstByteTimeout.TotalSeconds:0.#} s",
                JsonException => $"an answer that is not OpenAI's JSON ({e.Message.Split('\n')[0]})",
                _ => e.Message,
            };

            // Tokens already reached the client: never sent again elsewhere, and the client sees the answer end early.
            return writer is null ? RelayResult.Failed(problem) : RelayResult.Broken(problem);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && writer is not null)
        {
            return RelayResult.Broken("the client went away");
        }

        var end = Stopwatch.GetTimestamp();
        var prompt = promptTokens ?? (int)Math.Round(shape.Size.PromptTokens);
        var eval = completionTokens ?? pieces;
        var promptDuration = Stopwatch.GetElapsedTime(held, firstToken == 0 ? end : firstToken);
        var evalDuration = firstToken == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(firstToken, end);
        var stats = new RunStats(prompt, promptDuration, eval, evalDuration, TimeSpan.Zero, Stopwatch.GetElapsedTime(received, end), finish == "length" ? "length" : "stop");
        speeds.Record(shape.Model, prompt, promptDuration, eval, evalDuration, Stopwatch.GetElapsedTime(held, end));
        var final = OllamaEndpoints.Final(request.Model, request.Chat, request.Stream ? "" : text.ToString(), stats, time);
        var calls = request.Chat && toolCalls.Any ? toolCalls.ToOllama() : null;
        if (!request.Stream)
        {
            return await AnswerAsync(http, beforeStart, Results.Json(calls is null ? final : WithToolCalls(final, calls), RouterJson.Options), 200);
        }

        try
        {
            writer ??= await StartAsync(http, beforeStart, ct);
            if (calls is not null)
            {
                // As Ollama streams them: whole, in a piece of their own before the final line.
                await writer.WriteAsync(WithToolCalls(OllamaEndpoints.Piece(request.Model, chat: true, "", time), calls), ct);
            }

            await writer.WriteAsync(final, ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return RelayResult.Broken("the client went away");
        }

        return RelayResult.Answered(200);
    }

    private static JsonNode WithToolCalls(object answer, JsonArray calls)
    {
        var node = JsonSerializer.SerializeToNode(answer, RouterJson.Options)!;
        node["message"]!["tool_calls"] = calls;
        return node;
    }

    // A 5xx or 404 lets the next node try; any other error is the request's own, told in Ollama's shape.
    private static async Task<RelayResult> ErrorAsync(Backend backend, HttpResponseMessage response, Translated request, HttpContext http, Action beforeStart, TimeSpan timeout, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        string text;
        try
        {
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
            reading.CancelAfter(timeout);
            text = await response.Content.ReadAsStringAsync(reading.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            text = "";
        }

        var message = $"backend {backend.Settings.Name} answered {status} to {request.Path}: {Message(text)}";
        if (status >= 500 || status == 404)
        {
            return RelayResult.Failed(message, status, text);
        }

        if (response.Headers.RetryAfter is { } retry)
        {
            http.Response.Headers.RetryAfter = retry.ToString();
        }

        return await AnswerAsync(http, beforeStart, Results.Json(new { error = message }, RouterJson.Options, statusCode: status), status);
    }

    private static string Message(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error) ? OpenAiPieces.ErrorMessage(error) : body;
        }
        catch (JsonException)
        {
            return body.Length > 500 ? body[..500] : body;
        }
    }

    private static async Task<StreamedResult.Writer> StartAsync(HttpContext http, Action beforeStart, CancellationToken ct)
    {
        beforeStart();
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = StreamedResult.Ndjson;
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.StartAsync(ct);
        return new StreamedResult.Writer(http.Response, sse: false);
    }

    private static async Task<RelayResult> AnswerAsync(HttpContext http, Action beforeStart, IResult answer, int status)
    {
        beforeStart();
        await answer.ExecuteAsync(http);
        return RelayResult.Answered(status);
    }
}
