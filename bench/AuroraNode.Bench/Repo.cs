namespace AuroraNode.Bench;

/// <summary>Where the repository and the Release build of the node are.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string NodeDll
    {
        get
        {
            var dll = Path.Combine(Root, "src", "AuroraNode", "bin", "Release", "net10.0", "aurora-node.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build the node first: dotnet build src/AuroraNode -c Release", dll);
        }
    }

    public static string PostgresBin { get; } = Directory.GetDirectories("/usr/lib/postgresql")
        .OrderByDescending(d => int.Parse(Path.GetFileName(d))).Select(d => Path.Combine(d, "bin")).First();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AuroraNode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run the benchmarks from inside the repository");
    }
}
