using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>The bare Kestrel peer as its own process (this executable with <c>bare-kestrel --port N</c>), measured like the node.</summary>
internal sealed class BareKestrelProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly OutputTail _output = new();

    private BareKestrelProcess(Process process, int port)
    {
        _process = process;
        _output.Attach(process);
        Url = $"http://127.0.0.1:{port}";
    }

    public int Pid => _process.Id;

    public string Url { get; }

    public static async Task<BareKestrelProcess> StartAsync(CancellationToken ct)
    {
        var port = NodeProcess.FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { typeof(BareKestrelProcess).Assembly.Location, "bare-kestrel", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(a);
        }

        var bare = new BareKestrelProcess(Process.Start(info)!, port);
        try
        {
            await bare.WaitUntilServingAsync(ct);
            return bare;
        }
        catch
        {
            await bare.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(Posix.SigTerm, TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private async Task WaitUntilServingAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync($"{Url}/health/ready", ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new BenchException($"the bare Kestrel peer did not start; its last output:\n{_output}");
            }

            await Task.Delay(20, ct);
        }
    }
}
