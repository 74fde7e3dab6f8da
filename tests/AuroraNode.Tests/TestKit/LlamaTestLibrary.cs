using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// The llama.cpp library for tests: $AURORA_LLAMA_LIBRARY_DIR, else where packaging/fetch-llama.sh puts it by
/// default. A missing library fails the tests with what to run; it never skips them.
/// </summary>
public static class LlamaTestLibrary
{
    public static string Directory { get; } = LlamaOptions.DefaultLibraryDir();

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
