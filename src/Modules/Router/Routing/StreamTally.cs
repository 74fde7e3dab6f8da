using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>
/// Watches an answer pass through (NDJSON lines, SSE events, or one JSON body) to learn what it cost: when the first
/// and last bytes came, how many pieces, and the final figures when the answer gives them (Ollama's eval_count and
/// durations, OpenAI's usage).
/// </summary>
internal sealed class StreamTally
{
    private const int MaxLine = 1 << 20;
    private readonly long started = Stopwatch.GetTimestamp();
    private readonly MemoryStream line = new();
    private string? lastJson;
    private long firstByte;
    private long lastByte;

    public int Pieces { get; private set; }

    public TimeSpan FirstByte => firstByte == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, firstByte);

    public TimeSpan Total => Stopwatch.GetElapsedTime(started, lastByte == 0 ? Stopwatch.GetTimestamp() : lastByte);

    public void Add(ReadOnlySpan<byte> bytes)
    {
        var now = Stopwatch.GetTimestamp();
        if (firstByte == 0)
        {
            firstByte = now;
        }

        lastByte = now;
        foreach (var b in bytes)
        {
            if (b == (byte)'\n')
            {
                EndLine();
            }
            else if (line.Length < MaxLine)
            {
                line.WriteByte(b);
            }
        }
    }

    /// <summary>Prompt tokens, prompt time, generated tokens and generation time, as well as the answer tells them.</summary>
    public (int PromptTokens, TimeSpan PromptDuration, int EvalTokens, TimeSpan EvalDuration) Figures(bool streamed, double promptTokensGuess)
    {
        EndLine();
        var prompt = (int)Math.Round(promptTokensGuess);
        var eval = streamed ? Math.Max(0, Pieces - 1) : 0;
        if (lastJson is not null)
        {
            try
            {
                using var json = JsonDocument.Parse(lastJson);
                var root = json.RootElement;
                if (root.TryGetProperty("eval_count", out var evalCount) && root.TryGetProperty("eval_duration", out var evalNs))
                {
                    return (
                        root.TryGetProperty("prompt_eval_count", out var p) ? p.GetInt32() : prompt,
                        root.TryGetProperty("prompt_eval_duration", out var pns) ? Nanoseconds(pns.GetInt64()) : FirstByte,
                        evalCount.GetInt32(),
                        Nanoseconds(evalNs.GetInt64()));
                }

                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    prompt = usage.TryGetProperty("prompt_tokens", out var p) ? p.GetInt32() : prompt;
                    eval = usage.TryGetProperty("completion_tokens", out var c) ? c.GetInt32() : eval;
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                // Not figures we know: the counts and times seen here stand.
            }
        }

        // Streamed: the prompt until the first piece, the rest generation; in one body the split is not visible.
        return streamed ? (prompt, FirstByte, eval, Total - FirstByte) : (prompt, TimeSpan.Zero, eval, Total);
    }

    private static TimeSpan Nanoseconds(long ns) => TimeSpan.FromTicks(ns / 100);

    private void EndLine()
    {
        if (line.Length == 0)
        {
            return;
        }

        var text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).Trim();
        line.SetLength(0);
        if (text.StartsWith("data:", StringComparison.Ordinal))
        {
            text = text[5..].Trim();
        }

        if (text.Length == 0 || text == "[DONE]")
        {
            return;
        }

        Pieces++;
        lastJson = text;
    }
}
