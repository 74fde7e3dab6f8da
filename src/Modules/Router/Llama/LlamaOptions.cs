using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Modules.Router.Llama;

/// <summary>Where local inference finds llama.cpp and the models (part of <c>modules.router</c>).</summary>
/// <param name="LibraryDir"><c>modules.router.llama.library_dir</c>: the folder packaging/fetch-llama.sh fills.</param>
/// <param name="ModelsDir"><c>modules.router.models_dir</c>: every <c>*.gguf</c> in it is a model.</param>
internal sealed record LlamaOptions(string LibraryDir, string ModelsDir)
{
    /// <summary>
    /// Reads both from the router's section; relative paths are taken from the node's data_dir. The library
    /// defaults to where packaging/fetch-llama.sh puts it: $AURORA_LLAMA_LIBRARY_DIR, else the user's cache.
    /// </summary>
    public static LlamaOptions Read(ConfigReader router, NodeContext node) => new(
        Path.GetFullPath(router.Section("llama").String("library_dir") ?? DefaultLibraryDir(), node.DataDir),
        Path.GetFullPath(router.String("models_dir") ?? "models", node.DataDir));

    public static string DefaultLibraryDir() =>
        Environment.GetEnvironmentVariable("AURORA_LLAMA_LIBRARY_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
                    ? cache
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "aurora-node", "llama", LlamaBuild.NpmVersion);
}
