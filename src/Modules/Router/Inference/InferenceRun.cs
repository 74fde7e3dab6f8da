using System.Runtime.CompilerServices;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Load;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>
/// A generation under way on one slot. The slot goes back (and a keep_alive of 0 unloads the model) before the
/// final figures are handed out, so a client that reads them sees the node idle; disposing early cancels it.
/// </summary>
internal sealed class InferenceRun(SlotLease lease, IAsyncEnumerator<GenerationChunk> chunks, int promptTokens, IReadOnlyList<string> stop, long started, SpeedBook speeds, TimeProvider time)
    : IAsyncDisposable
{
    private readonly StopSequences stops = new(stop);
    private long firstToken;
    private int finished;

    public string Model => lease.Loaded.Settings.Name;

    public TimeSpan LoadDuration => lease.LoadDuration;

    public async IAsyncEnumerable<RunChunk> ReadAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var evalCount = 0;
        do
        {
            ct.ThrowIfCancellationRequested();
            var chunk = chunks.Current;
            if (chunk.Done is { } done)
            {
                var tail = stops.Push(chunk.Text).Emit + stops.Flush();
                await FinishAsync();
                if (tail.Length > 0)
                {
                    yield return new RunChunk(tail, null);
                }

                yield return new RunChunk("", Stats(done.PromptTokens, done.PromptDuration, done.EvalTokens, done.EvalDuration, done.DoneReason));
                yield break;
            }

            if (evalCount++ == 0)
            {
                firstToken = time.GetTimestamp();
            }

            var (emit, stopped) = stops.Push(chunk.Text);
            if (emit.Length > 0)
            {
                yield return new RunChunk(emit, null);
            }

            if (stopped)
            {
                await FinishAsync();
                var now = time.GetTimestamp();
                yield return new RunChunk("", Stats(promptTokens, time.GetElapsedTime(started, firstToken), evalCount, time.GetElapsedTime(firstToken, now), "stop"));
                yield break;
            }
        }
        while (await chunks.MoveNextAsync());
    }

    public async ValueTask DisposeAsync() => await FinishAsync();

    private RunStats Stats(int prompt, TimeSpan promptDuration, int eval, TimeSpan evalDuration, string reason)
    {
        RouterMetrics.TokensGenerated.Add(eval, RouterMetrics.Model(Model));
        RouterMetrics.PromptTokens.Add(prompt, RouterMetrics.Model(Model));
        speeds.Record(Model, prompt, promptDuration, eval, evalDuration, time.GetElapsedTime(started));
        return new RunStats(prompt, promptDuration, eval, evalDuration, lease.LoadDuration, lease.LoadDuration + time.GetElapsedTime(started), reason);
    }

    // Disposing the generator's enumerator waits until its decode has stopped: only then is the slot free.
    private async ValueTask FinishAsync()
    {
        if (Interlocked.Exchange(ref finished, 1) == 1)
        {
            return;
        }

        await chunks.DisposeAsync();
        lease.Dispose();
    }
}
