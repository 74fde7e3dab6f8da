using System.Diagnostics;

namespace AuroraNode.Modules.Processes;

/// <summary>
/// A running child process whose stdout and stderr lines go to a callback (the module's logger), and that is
/// stopped with a signal of the caller's choice, then killed if it outlives its grace period.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const string SetSid = "/usr/bin/setsid";

    private readonly Process _process;

    private ChildProcess(Process process, Task<int> exited)
    {
        _process = process;
        Exited = exited;
    }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited { get; }

    /// <summary>Starts <paramref name="spec"/>; each output line is passed to <paramref name="onLine"/>.</summary>
    public static ChildProcess Start(ProcessSpec spec, Action<string> onLine)
    {
        var info = new ProcessStartInfo
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var command = new List<string>();

        // Its own session: a Ctrl+C in the node's terminal reaches the node only, which then stops its children in order.
        if (File.Exists(SetSid))
        {
            command.Add(SetSid);
        }

        if (spec.RunAsUser is { } user && Signals.IsRoot)
        {
            // setsid and setpriv exec the target, so the pid we hold is the server's own.
            command.AddRange(["setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--"]);
        }

        command.Add(spec.FileName);
        command.AddRange(spec.Arguments);
        info.FileName = command[0];
        foreach (var a in command.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(e.Data, onLine);
        process.ErrorDataReceived += (_, e) => Forward(e.Data, onLine);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process, WaitAsync(process));
    }

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="grace"/>, then kills the process.</summary>
    /// <returns>True when it ended within the grace period.</returns>
    public async Task<bool> StopAsync(int signal, TimeSpan grace)
    {
        if (Exited.IsCompleted)
        {
            return true;
        }

        Signals.Send(Pid, signal);
        if (await Task.WhenAny(Exited, Task.Delay(grace)) == Exited)
        {
            return true;
        }

        _process.Kill(entireProcessTree: true);
        await Exited;
        return false;
    }

    /// <inheritdoc/>
    public void Dispose() => _process.Dispose();

    private static async Task<int> WaitAsync(Process process)
    {
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static void Forward(string? line, Action<string> onLine)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            onLine(line);
        }
    }
}
