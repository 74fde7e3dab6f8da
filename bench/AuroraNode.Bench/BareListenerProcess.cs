using System.Diagnostics;
using System.Globalization;

namespace AuroraNode.Bench;

/// <summary>A <see cref="BareListener"/> as its own process (this executable with <c>bare-listener</c>), measured like a node.</summary>
internal sealed class BareListenerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private BareListenerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public static async Task<BareListenerProcess> StartAsync(string redisConfiguration, string channel, string? touchKey, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment[BareListener.RedisVariable] = redisConfiguration;
        string[] args = [typeof(BareListenerProcess).Assembly.Location, "bare-listener", "--channel", channel];
        foreach (var a in touchKey is null ? args : [.. args, "--touch", touchKey])
        {
            info.ArgumentList.Add(a);
        }

        var listener = new BareListenerProcess(Process.Start(info)!);
        try
        {
            var first = await listener._process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
            if (first != "ready")
            {
                throw new BenchException($"the bare listener did not start: {first} {await listener._process.StandardError.ReadToEndAsync(ct)}");
            }

            return listener;
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }
    }

    /// <summary>How many messages it has received so far.</summary>
    public async Task<long> CountAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await _process.StandardInput.WriteLineAsync("count");
            await _process.StandardInput.FlushAsync(ct);
            var line = await _process.StandardOutput.ReadLineAsync(ct);
            return long.Parse(line ?? throw new BenchException("the bare listener exited"), CultureInfo.InvariantCulture);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closing stdin ends it; SIGTERM and a kill are the fallbacks.
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            await _process.StopAsync(Posix.SigTerm, TimeSpan.FromSeconds(5));
        }

        _process.Dispose();
        _gate.Dispose();
    }
}
