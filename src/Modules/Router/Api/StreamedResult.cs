using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Api;

/// <summary>
/// A 200 whose body is written as the run goes: NDJSON lines (Ollama) or SSE <c>data:</c> events (OpenAI).
/// A client that goes away ends it quietly; the run is disposed (its slot freed) however it ends.
/// </summary>
internal sealed class StreamedResult(string contentType, IAsyncDisposable run, Func<StreamedResult.Writer, CancellationToken, Task> write) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        try
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = contentType;
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.StartAsync(ct);
            await write(new Writer(http.Response, contentType == Sse), ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client disconnected: nothing more to say, and the run's disposal frees the slot now.
        }
        finally
        {
            await run.DisposeAsync();
        }
    }

    public const string Ndjson = "application/x-ndjson";

    public const string Sse = "text/event-stream";

    /// <summary>
    /// Writes one JSON value as an NDJSON line or an SSE event, and flushes it to the client. Serialized straight into
    /// the response's pipe, synchronously: the async serializer's machinery cost more than the line itself.
    /// </summary>
    internal sealed class Writer(HttpResponse response, bool sse)
    {
        private static readonly byte[] DataPrefix = "data: "u8.ToArray();
        private static readonly byte[] NewLine = "\n"u8.ToArray();
        private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
        private Utf8JsonWriter? json;

        public async Task WriteAsync(object value, CancellationToken ct)
        {
            var pipe = response.BodyWriter;
            if (sse)
            {
                pipe.Write(DataPrefix);
            }

            if (json is null)
            {
                json = new Utf8JsonWriter(pipe);
            }
            else
            {
                json.Reset(pipe);
            }

            JsonSerializer.Serialize(json, value, value.GetType(), RouterJson.Options);
            json.Flush();
            pipe.Write(sse ? EventEnd : NewLine);
            await pipe.FlushAsync(ct);
        }

        /// <summary>An SSE event with raw text, e.g. OpenAI's closing <c>[DONE]</c>.</summary>
        public async Task WriteRawAsync(string data, CancellationToken ct)
        {
            await response.WriteAsync($"data: {data}\n\n", ct);
            await response.Body.FlushAsync(ct);
        }
    }
}
