namespace AuroraNode.Modules.Router.Models;

/// <summary>
/// The models in one folder: each <c>*.gguf</c> directly in it, named by its file name without the extension.
/// Read from disk on every call, so a file copied in is available at once. A missing folder has no models.
/// </summary>
internal sealed class ModelCatalog(string modelsDir)
{
    private const string Extension = ".gguf";

    // Ollama clients say "name:latest" for "name".
    private const string LatestTag = ":latest";

    public string ModelsDir { get; } = modelsDir;

    public IReadOnlyList<LocalModel> List()
    {
        if (!Directory.Exists(ModelsDir))
        {
            return [];
        }

        return new DirectoryInfo(ModelsDir)
            .EnumerateFiles("*" + Extension, new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive, RecurseSubdirectories = false })
            .Where(f => f.Name.Length > Extension.Length)
            .Select(f => new LocalModel(Path.GetFileNameWithoutExtension(f.Name), f.FullName, f.Length, f.LastWriteTimeUtc))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The model called <paramref name="name"/> (with or without ":latest"), or null.</summary>
    public LocalModel? Find(string name)
    {
        if (name.EndsWith(LatestTag, StringComparison.Ordinal))
        {
            name = name[..^LatestTag.Length];
        }

        return List().FirstOrDefault(m => m.Name == name);
    }
}
