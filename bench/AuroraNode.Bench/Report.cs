using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>One figure, its peer from the same run, and the target.</summary>
internal sealed record Figure(string Name, double Value, string Unit, string Peer, double PeerValue, string Target, bool HigherIsBetter, string Notes = "")
{
    public double Ratio => PeerValue == 0 ? double.NaN : Value / PeerValue;
}

/// <summary>Collects figures, prints them as a table and saves them as JSON under bench/results/.</summary>
internal sealed class Report
{
    private readonly List<Figure> _figures = [];

    public bool IsEmpty => _figures.Count == 0;

    public void Add(Figure figure)
    {
        _figures.Add(figure);
        Console.WriteLine($"  {figure.Name}: {figure.Value:0.###} {figure.Unit} (peer {figure.Peer}: {figure.PeerValue:0.###} {figure.Unit}, ratio {figure.Ratio:0.##})");
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"{"FIGURE",-34} {"AURORA",12} {"PEER",12} {"RATIO",6}  {"TARGET",-22} PEER IS");
        foreach (var f in _figures)
        {
            Console.WriteLine($"{f.Name,-34} {Fmt(f.Value, f.Unit),12} {Fmt(f.PeerValue, f.Unit),12} {f.Ratio,6:0.00}  {f.Target,-22} {f.Peer}");
        }
    }

    public void Save()
    {
        var dir = Path.Combine(Repo.Root, "bench", "results");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{DateTime.UtcNow:yyyy-MM-dd-HHmmss}.json");
        var machine = new { cores = Environment.ProcessorCount, cpu = Machine.CpuModel(), memory_gib = Machine.MemoryGiB() };
        File.WriteAllText(path, JsonSerializer.Serialize(new { date = DateTime.UtcNow, machine, figures = _figures }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"\nsaved {path}");
    }

    private static string Fmt(double value, string unit) => $"{value:0.##} {unit}";
}
