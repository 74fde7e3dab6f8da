namespace AuroraNode.Modules.Router.Models;

/// <summary>Ollama clients say "name:latest" for "name": the mesh compares and publishes names without that tag.</summary>
internal static class ModelNames
{
    private const string LatestTag = ":latest";

    public static string Bare(string name) => name.EndsWith(LatestTag, StringComparison.Ordinal) ? name[..^LatestTag.Length] : name;
}
