using AuroraNode.Modules.Router.Inference;
using AuroraNode.Modules.Router.Load;
using AuroraNode.Modules.Router.Routing;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// Serves a request with a fronted server: waits for one of its slots, sends the body on unchanged (an Ollama server
/// takes Ollama's and OpenAI's shapes, an OpenAI one OpenAI's), relays the answer and records the speed it showed.
/// </summary>
internal sealed class BackendRelay(BackendClient client, SpeedBook speeds)
{
    public async Task<RelayResult> ServeAsync(Backend backend, string path, byte[] body, RequestShape shape, HttpContext http, TimeSpan firstByteTimeout, Action beforeStart, CancellationToken ct)
    {
        IDisposable slot;
        try
        {
            slot = await backend.TakeSlotAsync(shape.Model, ct);
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
}
