using System.Diagnostics;

namespace AuroraNode.Bench;

/// <summary>The aurora-node build under test: a framework-dependent dll (run with dotnet) or a published executable.</summary>
internal sealed record NodeBinary(string Path)
{
    /// <summary>For benchmarks of module code in the runner's own process (no node is started).</summary>
    public static NodeBinary InProcess { get; } = new("(none: in-process benchmark)");

    public static NodeBinary Resolve(string? path)
    {
        var full = System.IO.Path.GetFullPath(path ?? Repo.ReleaseNodeDll);
        if (!File.Exists(full))
        {
            throw new BenchException(path is null
                ? $"{full} does not exist; build the node first: dotnet build src/AuroraNode/AuroraNode.csproj -c Release"
                : $"--node {path}: no such file");
        }

        return new NodeBinary(full);
    }

    public ProcessStartInfo StartInfo(params string[] args)
    {
        var dll = Path.EndsWith(".dll", StringComparison.Ordinal);
        var info = new ProcessStartInfo(dll ? "dotnet" : Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (dll)
        {
            info.ArgumentList.Add(Path);
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }
}
