using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// Serves a request with a fronted server: waits for one of its slots, sends the body on (an Ollama server takes
/// Ollama's and OpenAI's shapes as they are; an OpenAI one takes OpenAI's with its own model name, and Ollama's
/// translated by <see cref="OllamaOverOpenAi"/>), relays the answer and records the speed it showed.
/// </summary>
internal sealed class BackendRelay(BackendClient client, SpeedBook speeds, OllamaOverOpenAi translated)
{
    public async Task<RelayResult> ServeAsync(Backend backend, string path, byte[] body, RequestShape shape, HttpContext http, TimeSpan firstByteTimeout, Action beforeStart, CancellationToken ct)
    {
        if (backend.Settings.Kind == BackendSettings.OpenAi)
        {
            if (shape.Api == RequestApi.Ollama)
            {
                return await translated.ServeAsync(backend, path, body, shape, http, firstByteTimeout, beforeStart, ct);
            }

            body = WithModel(body, backend.ServerName(shape.Model));
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
            var held = System.Diagnostics.Stopwatch.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connect.CancelAfter(firstByteTimeout);
                response = await client.PostAsync(backend.Settings.Url, path, body, connect.Token);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                return RelayResult.Failed($"backend {backend.Settings.Name} at {backend.Settings.Url}: {(e is OperationCanceledException ? "no answer in time" : e.Message)}");
            }

            using (response)
            {
                var result = await Relay.RunAsync(response, http, firstByteTimeout, beforeStart, ct);
                if (result is { Ok: true, Tally: { } tally })
                {
                    var (prompt, promptDuration, eval, evalDuration) = tally.Figures(shape.Stream, shape.Size.PromptTokens);
                    speeds.Record(shape.Model, prompt, promptDuration, eval, evalDuration, System.Diagnostics.Stopwatch.GetElapsedTime(held));
                }

                return result;
            }
        }
    }

    // An OpenAI server knows "o", not the "o:latest" that Ollama-minded clients (and /v1/models) say.
    private static byte[] WithModel(byte[] body, string model)
    {
        if (System.Text.Json.Nodes.JsonNode.Parse(body) is System.Text.Json.Nodes.JsonObject json && json["model"]?.GetValue<string>() is { } named && named != model)
        {
            json["model"] = model;
            return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        }

        return body;
    }
}
