using System.Text;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>
/// Cuts generated text at the first stop sequence. Text that may be the start of one is held back until the
/// next piece shows whether it is, so a stop sequence never reaches the client.
/// </summary>
internal sealed class StopSequences(IReadOnlyList<string> stops)
{
    private readonly string[] stops = stops.Where(s => s.Length > 0).ToArray();
    private readonly StringBuilder pending = new();

    /// <summary>The text that may go out now, and whether a stop sequence was met (then nothing more may go out).</summary>
    public (string Emit, bool Stopped) Push(string text)
    {
        if (stops.Length == 0)
        {
            return (text, false);
        }

        pending.Append(text);
        var all = pending.ToString();
        var first = -1;
        foreach (var stop in stops)
        {
            var at = all.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
            }
        }

        if (first >= 0)
        {
            pending.Clear();
            return (all[..first], true);
        }

        var hold = 0;
        foreach (var stop in stops)
        {
            for (var k = Math.Min(stop.Length - 1, all.Length); k > hold; k--)
            {
                if (all.AsSpan(all.Length - k).SequenceEqual(stop.AsSpan(0, k)))
                {
                    hold = k;
                    break;
                }
            }
        }

        pending.Clear();
        pending.Append(all, all.Length - hold, hold);
        return (all[..^hold], false);
    }

    /// <summary>What was held back, at the end of the generation.</summary>
    public string Flush()
    {
        var rest = pending.ToString();
        pending.Clear();
        return rest;
    }
}
