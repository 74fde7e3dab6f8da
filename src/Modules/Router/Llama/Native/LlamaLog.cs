using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>
/// Keeps llama.cpp's own log off stderr: its recent warnings and errors are held here so that a failed call
/// can say why (llama_model_load_from_file only answers NULL).
/// </summary>
internal static unsafe class LlamaLog
{
    private const int Warn = 3;
    private const int Continuation = 5;
    private const int Capacity = 64;

    private static readonly ConcurrentQueue<(long Seq, string Text)> Recent = new();
    private static long sequence;
    private static bool lastKept;

    /// <summary>A point in the log to pass to <see cref="Since"/>.</summary>
    public static long Mark => Interlocked.Read(ref sequence);

    public static void Attach() => LlamaNative.llama_log_set(&OnLog, null);

    /// <summary>The warnings and errors logged after <paramref name="mark"/>, on one line.</summary>
    public static string Since(long mark) =>
        string.Join(" ", Recent.Where(e => e.Seq > mark).Select(e => e.Text.Trim())).Trim();

    [UnmanagedCallersOnly]
    private static void OnLog(int level, byte* text, void* userData)
    {
        var keep = level is >= Warn and < Continuation || (level == Continuation && lastKept);
        lastKept = keep;
        if (!keep)
        {
            return;
        }

        Recent.Enqueue((Interlocked.Increment(ref sequence), Marshal.PtrToStringUTF8((nint)text) ?? ""));
        while (Recent.Count > Capacity && Recent.TryDequeue(out _))
        {
        }
    }
}
