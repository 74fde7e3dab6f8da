using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>
/// Loads llama.cpp from one folder (modules.router.llama.library_dir) once per process, after checking it is
/// the build the bindings were written for, and points every <see cref="LlamaNative"/> import at it.
/// </summary>
internal static unsafe class LlamaLibrary
{
    private static readonly Lock Gate = new();
    private static nint ggml;
    private static nint llama;
    private static bool resolverSet;

    public static LlamaLibraryInfo? Loaded { get; private set; }

    /// <summary>Loads the library from <paramref name="libraryDir"/>; a second call with the same folder does nothing.</summary>
    /// <exception cref="LlamaException">The folder lacks the library, or holds another build than <see cref="LlamaBuild"/>.</exception>
    public static LlamaLibraryInfo Load(string libraryDir)
    {
        var dir = Path.GetFullPath(libraryDir);
        lock (Gate)
        {
            if (Loaded is { } loaded)
            {
                return loaded.Directory == dir
                    ? loaded
                    : throw new LlamaException($"llama.cpp is already loaded from {loaded.Directory}; a process can use one library_dir only (asked for {dir}).");
            }

            var sha256 = Verify(dir);
            var llamaPath = Path.Combine(dir, LlamaBuild.LlamaFile);
            NativeLibrary.Load(Path.Combine(dir, LlamaBuild.GgmlBaseFile));
            ggml = NativeLibrary.Load(Path.Combine(dir, LlamaBuild.GgmlFile));
            llama = NativeLibrary.Load(llamaPath);
            if (!resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(LlamaLibrary).Assembly, Resolve);
                resolverSet = true;
            }

            var version = Utf8(LlamaNative.llama_version());
            var commit = ReadCommit(dir);
            if (version != LlamaBuild.Version || commit != LlamaBuild.Commit)
            {
                throw new LlamaException(
                    $"{llamaPath} reports llama.cpp {version} commit {commit ?? "(unknown)"}; the bindings were written for " +
                    $"{LlamaBuild.Version} commit {LlamaBuild.Commit}.");
            }

            LlamaLog.Attach();
            LlamaNative.ggml_backend_load_all_from_path(dir);
            LlamaNative.llama_backend_init();

            Loaded = new LlamaLibraryInfo(dir, version, commit, sha256, Utf8(LlamaNative.llama_print_system_info()));
            return Loaded;
        }
    }

    /// <summary>Checks, without loading it, that <paramref name="libraryDir"/> holds the pinned build; returns its SHA-256.</summary>
    /// <exception cref="LlamaException">It does not, with what to do about it.</exception>
    public static string Verify(string libraryDir)
    {
        var dir = Path.GetFullPath(libraryDir);
        var llamaPath = Path.Combine(dir, LlamaBuild.LlamaFile);
        if (!File.Exists(llamaPath))
        {
            throw new LlamaException(
                $"llama.cpp library not found: {llamaPath} does not exist. Fetch it with `packaging/fetch-llama.sh {dir}` " +
                $"({LlamaBuild.NpmPackage}@{LlamaBuild.NpmVersion}) or set modules.router.llama.library_dir to the folder that holds it.");
        }

        // Checked before the file is mapped: a foreign build would misread every struct instead of failing.
        var sha256 = Sha256Of(llamaPath);
        if (sha256 != LlamaBuild.LlamaSha256)
        {
            throw new LlamaException(
                $"{llamaPath} is not the llama.cpp build these bindings were written for " +
                $"({LlamaBuild.NpmPackage}@{LlamaBuild.NpmVersion}, commit {LlamaBuild.Commit}): its SHA-256 is {sha256}, " +
                $"expected {LlamaBuild.LlamaSha256}. Delete the folder and fetch it again with `packaging/fetch-llama.sh {dir}`.");
        }

        return sha256;
    }

    internal static string Utf8(byte* text) => text is null ? "" : Marshal.PtrToStringUTF8((nint)text) ?? "";

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) => name switch
    {
        LlamaNative.Llama => llama,
        LlamaNative.Ggml => ggml,
        _ => 0,
    };

    // The build's common library carries the commit it was built from as `const char * LLAMA_COMMIT`.
    private static string? ReadCommit(string dir)
    {
        if (!NativeLibrary.TryLoad(Path.Combine(dir, LlamaBuild.CommonFile), out var common))
        {
            return null;
        }

        return NativeLibrary.TryGetExport(common, "LLAMA_COMMIT", out var symbol) ? Utf8(*(byte**)symbol) : null;
    }

    private static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}

internal sealed record LlamaLibraryInfo(string Directory, string Version, string Commit, string Sha256, string SystemInfo);
