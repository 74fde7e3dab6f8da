using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>
/// A client of a node's <c>GET /api/v1/events/stream</c>: counts the events it receives and reports each one's id with
/// the <see cref="Stopwatch"/> timestamp at which its <c>data:</c> line was read.
/// </summary>
internal sealed class SseListener : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reading = Task.CompletedTask;
    private long _received;

    /// <summary>Called on the reading task for every event: its id and when its data line arrived.</summary>
    public Action<string, long>? OnEvent { get; set; }

    public long Received => Interlocked.Read(ref _received);

    public static async Task<SseListener> OpenAsync(string nodeUrl, string channel, CancellationToken ct)
    {
        var listener = new SseListener();
        listener._reading = listener.ReadAsync($"{nodeUrl}/api/v1/events/stream?channels={Uri.EscapeDataString(channel)}");
        try
        {
            await listener._listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            return listener;
        }
        catch (TimeoutException)
        {
            await listener.DisposeAsync();
            throw new BenchException($"{nodeUrl} did not start an event stream on {channel} within 10 s");
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading.ContinueWith(_ => { }, TaskScheduler.Default);
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync(string url)
    {
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
            string? id = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    var at = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref _received);
                    OnEvent?.Invoke(id ?? "", at);
                    id = null;
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith(": listening", StringComparison.Ordinal))
                {
                    _listening.TrySetResult();
                }
            }
        }
        catch (Exception ex) when (!_stop.IsCancellationRequested)
        {
            _listening.TrySetException(new BenchException($"the event stream {url} failed: {ex.Message}"));
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Closed by us.
        }
    }
}
