namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// The long-lived thread a <see cref="Generator"/> decodes on (llama.cpp blocks). Starting a thread per request
/// cost 0.3–1.5 ms of every first token here, tens of ms on a busy machine; this one exits after a minute without work.
/// </summary>
internal sealed class DecodeThread(string name)
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(1);

    private readonly object gate = new();
    private readonly Queue<Action> work = new();
    private bool running;

    /// <summary>Runs <paramref name="action"/> on the thread; the task ends when it has (with its exception, if any).</summary>
    public Task RunAsync(Action action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            work.Enqueue(() =>
            {
                try
                {
                    action();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
            if (running)
            {
                Monitor.Pulse(gate);
            }
            else
            {
                running = true;
                new Thread(Loop) { IsBackground = true, Name = name }.Start();
            }
        }

        return done.Task;
    }

    private void Loop()
    {
        while (true)
        {
            Action next;
            lock (gate)
            {
                while (work.Count == 0)
                {
                    if (!Monitor.Wait(gate, Idle) && work.Count == 0)
                    {
                        running = false;
                        return;
                    }
                }

                next = work.Dequeue();
            }

            next();
        }
    }
}
