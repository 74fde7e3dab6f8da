using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>The last lines a child process wrote (stdout and stderr), kept to explain a failed start.</summary>
internal sealed class OutputTail
{
    private const int Keep = 20;
    private readonly Queue<string> _lines = new();

    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return _lines.Count == 0 ? "  (no output)" : string.Join('\n', _lines.Select(l => $"  | {l}"));
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > Keep)
            {
                _lines.Dequeue();
            }
        }
    }
}
