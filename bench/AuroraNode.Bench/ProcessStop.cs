using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>Stops a child the way its owner would (a signal), and kills it when it outlives the grace period.</summary>
internal static class ProcessStop
{
    // Clean-up runs even after Ctrl+C, so it takes no cancellation token.
    public static async Task<bool> StopAsync(this Process process, int signal, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return true;
        }

        Posix.Send(process.Id, signal);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return false;
        }
    }
}
