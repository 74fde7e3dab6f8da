using Microsoft.Extensions.Hosting;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>Unloads idle models once their keep-alive has passed, checking every second.</summary>
internal sealed class KeepAliveSweep(ModelPool pool, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                pool.Sweep();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
