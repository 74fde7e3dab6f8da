using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>
/// llama.cpp for this node, loaded on the first request (never at start, so a node without it starts as fast
/// and stays ready). <see cref="Problem"/> says why there is no local inference, in words for the user.
/// </summary>
internal sealed class LocalLibrary(RouterOptions options)
{
    private readonly Lock gate = new();
    private string? loadError;

    public string Directory => options.Llama.LibraryDir;

    public bool IsLoaded => LlamaLibrary.Loaded is not null;

    /// <summary>Why local inference is off without loading anything (a cheap check for health reports).</summary>
    public string? Peek()
    {
        lock (gate)
        {
            if (loadError is not null)
            {
                return loadError;
            }
        }

        return File.Exists(Path.Combine(Directory, LlamaBuild.LlamaFile)) ? null : Missing();
    }

    /// <summary>Loads the library if it is not yet; null when it is usable, else why not.</summary>
    public string? EnsureLoaded()
    {
        lock (gate)
        {
            if (LlamaLibrary.Loaded is not null)
            {
                return null;
            }

            if (loadError is not null)
            {
                return loadError;
            }

            if (!File.Exists(Path.Combine(Directory, LlamaBuild.LlamaFile)))
            {
                return Missing();
            }

            try
            {
                LlamaLibrary.Load(Directory);
                return null;
            }
            catch (LlamaException e)
            {
                // A wrong build stays wrong until the node restarts with another library_dir.
                loadError = $"no local inference: {e.Message}";
                return loadError;
            }
        }
    }

    private string Missing() =>
        $"no local inference: llama.cpp library not found at {Directory} (run packaging/fetch-llama.sh {Directory}, or set modules.router.llama.library_dir)";
}
