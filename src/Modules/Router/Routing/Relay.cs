using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// Passes an upstream answer (another node's, or a fronted server's) straight to the client, piece by piece as it
/// comes. Nothing reaches the client until the first bytes are in: an upstream that errs or times out before that
/// can be replaced by the next one; after it, never.
/// </summary>
internal static class Relay
{
    private static readonly string[] KeptHeaders = ["Retry-After", "X-Aurora-Node"];

    public static async Task<RelayResult> RunAsync(HttpResponseMessage upstream, HttpContext http, TimeSpan firstByteTimeout, Action beforeStart, CancellationToken ct)
    {
        var status = (int)upstream.StatusCode;
        var tally = new StreamTally();
        Stream body;
        var buffer = new byte[16 * 1024];
        int read;
        try
        {
            using var first = CancellationTokenSource.CreateLinkedTokenSource(ct);
            first.CancelAfter(firstByteTimeout);
            body = await upstream.Content.ReadAsStreamAsync(first.Token);
            read = await body.ReadAsync(buffer, first.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return RelayResult.Failed(e is OperationCanceledException ? $"no answer within {firstByteTimeout.TotalSeconds:0.#} s" : e.Message);
        }

        if (status >= 500 || status == 404 || (read == 0 && status == 200))
        {
            var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            return RelayResult.Failed(read == 0 ? $"answered {status} with nothing" : $"answered {status}: {text}", status, text);
        }

        http.Response.StatusCode = status;
        if (upstream.Content.Headers.ContentType is { } type)
        {
            http.Response.ContentType = type.ToString();
        }

        foreach (var name in KeptHeaders)
        {
            if (upstream.Headers.TryGetValues(name, out var values))
            {
                http.Response.Headers[name] = values.ToArray();
            }
        }

        http.Response.Headers.CacheControl = "no-cache";
        beforeStart();
        try
        {
            do
            {
                tally.Add(buffer.AsSpan(0, read));
                await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                await http.Response.Body.FlushAsync(ct);
            }
            while ((read = await body.ReadAsync(buffer, ct)) > 0);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // Tokens already reached the client: never sent again elsewhere. The client sees the answer end early.
            return RelayResult.Broken(e.Message, tally);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return RelayResult.Broken("the client went away", tally);
        }

        return RelayResult.Done(status, tally);
    }
}

/// <summary>How a relay ended: not started (nothing sent to the client; try another), broken (cut after bytes were sent), or completed.</summary>
internal sealed record RelayResult(bool Started, bool Completed, string? Problem, int Status, string? Body, StreamTally? Tally)
{
    /// <summary>Completed with a success status (a 4xx is relayed as the client's own mistake).</summary>
    public bool Ok => Completed && Status < 400;

    public static RelayResult Failed(string problem, int status = 0, string? body = null) => new(false, false, problem, status, body, null);

    public static RelayResult Broken(string problem, StreamTally? tally = null) => new(true, false, problem, 0, null, tally);

    public static RelayResult Done(int status, StreamTally tally) => new(true, true, null, status, null, tally);

    /// <summary>Answered here (translated, or a mistake in the request), with nothing to tally.</summary>
    public static RelayResult Answered(int status) => new(true, true, null, status, null, null);
}
