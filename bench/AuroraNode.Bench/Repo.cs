namespace AuroraNode.Bench;

/// <summary>Where the repository, the node build under test and the PostgreSQL binaries are.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>What <c>dotnet build src/AuroraNode/AuroraNode.csproj -c Release</c> produces.</summary>
    public static string ReleaseNodeDll => Path.Combine(Root, "src", "AuroraNode", "bin", "Release", "net10.0", "aurora-node.dll");

    public static string ResultsDir => Path.Combine(Root, "bench", "results");

    /// <summary>The newest Debian PostgreSQL (the node's own default for postgres.bin_dir).</summary>
    public static string PostgresBin { get; } = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql")
            .Where(d => File.Exists(Path.Combine(d, "bin", "pg_ctl")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
            .Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault() ?? ""
        : "";

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AuroraNode.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new BenchException("AuroraNode.sln not found above the runner or the current folder; run the benchmarks from inside the repository");
    }
}
