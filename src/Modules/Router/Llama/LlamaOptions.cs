using AuroraNode.Modules.Configuration;
using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Modules.Router.Llama;

/// <summary>Where local inference finds llama.cpp and the models (part of <c>modules.router</c>).</summary>
/// <param name="LibraryDir"><c>modules.router.llama.library_dir</c>: the folder packaging/fetch-llama.sh fills.</param>
/// <param name="ModelsDir"><c>modules.router.models_dir</c>: every <c>*.gguf</c> in it is a model.</param>
internal sealed record LlamaOptions(string LibraryDir, string ModelsDir)
{
    /// <summary>Reads both from the router's section; relative paths are taken from the node's data_dir.</summary>
    public static LlamaOptions Read(ConfigReader router, NodeContext node) => new(
        Path.GetFullPath(router.Section("llama").String("library_dir") ?? Path.Combine("llama", LlamaBuild.NpmVersion), node.DataDir),
        Path.GetFullPath(router.String("models_dir") ?? "models", node.DataDir));
}
