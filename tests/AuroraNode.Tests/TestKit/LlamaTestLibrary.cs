using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// The llama.cpp library for tests: $AURORA_LLAMA_LIBRARY_DIR, else where packaging/fetch-llama.sh puts it by
/// default. A missing library fails the tests with what to run; it never skips them.
/// </summary>
public static class LlamaTestLibrary
{
    public static string Directory { get; } =
        Environment.GetEnvironmentVariable("AURORA_LLAMA_LIBRARY_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
                    ? cache
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "aurora-node", "llama", LlamaBuild.NpmVersion);

    internal static LlamaLibraryInfo Load()
    {
        if (!File.Exists(Path.Combine(Directory, LlamaBuild.LlamaFile)))
        {
            Assert.Fail(
                $"llama.cpp library missing: {Path.Combine(Directory, LlamaBuild.LlamaFile)} does not exist. " +
                $"Run `packaging/fetch-llama.sh {Directory}` (CI runs it in .ci/run), or point AURORA_LLAMA_LIBRARY_DIR at a folder that holds it.");
        }

        return LlamaLibrary.Load(Directory);
    }
}
