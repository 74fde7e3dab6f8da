namespace AuroraNode.Bench;

/// <summary>The runner's command line: which benchmarks, and which node build.</summary>
internal sealed record BenchOptions(string Verb, string? NodePath)
{
    public const string Usage = """
        usage: AuroraNode.Bench all|startup|rss|http [--node PATH]
          all        start-up, idle RSS and HTTP, each against its peer in the same run
          --node     aurora-node.dll or a published aurora-node executable
                     (default: src/AuroraNode/bin/Release/net10.0/aurora-node.dll; build it first)
        """;

    public bool Includes(string benchmark) => Verb == "all" || Verb == benchmark;

    public static BenchOptions? Parse(string[] args, IReadOnlyCollection<string> benchmarks)
    {
        var options = args switch
        {
            [] => new BenchOptions("all", null),
            [var verb] => new BenchOptions(verb, null),
            [var verb, "--node", var path] => new BenchOptions(verb, path),
            _ => null,
        };
        return options is not null && (options.Verb == "all" || benchmarks.Contains(options.Verb)) ? options : null;
    }
}
