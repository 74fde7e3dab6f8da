namespace AuroraNode.Modules.Router.Models;

/// <summary>A GGUF file in models_dir, known by its file name without the extension.</summary>
internal sealed record LocalModel(string Name, string Path, long SizeBytes, DateTimeOffset ModifiedAt);
