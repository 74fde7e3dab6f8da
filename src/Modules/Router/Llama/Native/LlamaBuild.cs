namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>
/// The one llama.cpp build these bindings were written for. The structs in this folder copy the layouts of
/// include/llama.h at <see cref="Commit"/>; a different library would read them with other offsets and corrupt
/// memory instead of failing, so <see cref="LlamaLibrary"/> refuses any other build.
/// </summary>
internal static class LlamaBuild
{
    public const string NpmPackage = "@node-llama-cpp/linux-x64";
    public const string NpmVersion = "3.22.1";

    /// <summary>llama.cpp commit, as the build's own libllama-common.so reports it (LLAMA_COMMIT).</summary>
    public const string Commit = "0ad4a86";

    /// <summary>What llama_version() answers for that build.</summary>
    public const string Version = "0.5.0-dev";

    public const string LlamaFile = "libllama.v0.5.0.so";
    public const string GgmlFile = "libggml.v0.5.0.so";
    public const string GgmlBaseFile = "libggml-base.so";
    public const string CommonFile = "libllama-common.so";

    /// <summary>SHA-256 of <see cref="LlamaFile"/> in that npm tarball (its sha512 is checked by packaging/fetch-llama.sh).</summary>
    public const string LlamaSha256 = "2ecd1d85f68456573a664106a9039366b88231579fd65d9669c9a6ab41374fd4";
}
