using System.Text.Encodings.Web;
using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>Collects the figures of one run, prints them as a table and saves them as JSON under bench/results/.</summary>
internal sealed class Report(Machine machine, NodeBinary node, string verb, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file for people: keep '+', '<' and quotes readable
    };

    private readonly DateTimeOffset _started = time.GetUtcNow();
    private readonly List<Figure> _figures = [];
    private readonly List<string> _failures = [];
    private double? _loadAtEnd;

    public bool HasFailures => _failures.Count > 0;

    public void Add(Figure figure)
    {
        _figures.Add(figure);
        Console.WriteLine($"  {figure.Name}: {figure.Value.Format(figure.Unit)}; peer {figure.PeerValue.Format(figure.Unit)}; ratio {figure.Ratio:0.00}; others' CPU {figure.OthersCpuPercent:0}%");
    }

    public void Fail(string benchmark, string message)
    {
        _failures.Add($"{benchmark}: {message}");
        Console.Error.WriteLine($"{benchmark}: FAILED: {message}");
    }

    public void Print()
    {
        _loadAtEnd = Machine.CurrentLoadAverage();
        Console.WriteLine();
        Console.WriteLine($"machine: {machine}, {_loadAtEnd:0.00} at the end");
        Console.WriteLine($"node:    {node.Path}");
        Console.WriteLine();
        var rows = _figures.Select(f => new[] { f.Name, f.Value.Format(f.Unit), f.PeerValue.Format(f.Unit), $"{f.Ratio:0.00}", f.Target, f.Met switch { true => "yes", false => "NO", null => "—" } }).ToList();
        string[] header = ["FIGURE", "AURORA median (min–max)", "PEER, same run", "RATIO", "TARGET", "MET"];
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        foreach (var f in _figures)
        {
            Console.WriteLine();
            Console.WriteLine($"{f.Name}: the peer is {f.Peer}");
            Console.WriteLine($"  - other programs used {f.OthersCpuPercent:0}% of the machine's CPU meanwhile");
            foreach (var note in f.Notes)
            {
                Console.WriteLine($"  - {note}");
            }
        }

        foreach (var failure in _failures)
        {
            Console.WriteLine($"\nFAILED {failure}");
        }
    }

    public string Save()
    {
        Directory.CreateDirectory(Repo.ResultsDir);
        var path = Path.Combine(Repo.ResultsDir, $"{_started:yyyy-MM-dd-HHmmss}.json");
        var result = new { Date = _started, Verb = verb, Machine = machine, LoadAverageAtEnd = _loadAtEnd, Node = node.Path, Figures = _figures, Failures = _failures };
        File.WriteAllText(path, JsonSerializer.Serialize(result, Json) + "\n");
        Console.WriteLine($"\nsaved {Path.GetRelativePath(Repo.Root, path)}");
        return path;
    }
}
