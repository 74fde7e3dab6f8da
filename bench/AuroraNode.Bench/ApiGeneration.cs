using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>
/// The inference benchmark's subject: a greedy generation through a node's Ollama API (<c>POST /api/generate</c>,
/// raw prompt, streamed NDJSON), timed as the client sees each token's line arrive.
/// </summary>
internal sealed class ApiGeneration(HttpClient http, string model)
{
    public async Task<GenerationTiming> RunAsync(string prompt, int tokens, CancellationToken ct)
    {
        var body = new
        {
            model,
            prompt,
            raw = true,
            stream = true,
            options = new { num_predict = tokens, temperature = 0 },
        };
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/generate") { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new BenchException($"POST /api/generate for {model}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var text = new StringBuilder();
        long first = 0, last = 0;
        var count = -1;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            var now = Stopwatch.GetTimestamp();
            using var chunk = JsonDocument.Parse(line);
            if (chunk.RootElement.GetProperty("done").GetBoolean())
            {
                count = chunk.RootElement.GetProperty("eval_count").GetInt32();
                break;
            }

            first = first == 0 ? now : first;
            last = now;
            text.Append(chunk.RootElement.GetProperty("response").GetString());
        }

        if (count < 0 || first == 0)
        {
            throw new BenchException($"POST /api/generate for {model}: the stream ended without tokens or a final line");
        }

        return new GenerationTiming(
            count,
            Stopwatch.GetElapsedTime(started, first).TotalMilliseconds,
            Stopwatch.GetElapsedTime(first, last).TotalMilliseconds,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            text.ToString());
    }
}
