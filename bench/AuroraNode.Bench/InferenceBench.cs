using AuroraNode.Modules.Router.Llama;
using AuroraNode.Modules.Router.Llama.Native;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Bench;

/// <summary>
/// Tokens/s of one greedy generation through a node's API (streamed <c>/api/generate</c>) against libllama called
/// directly in this process, and against node-llama-cpp on the same prebuilt library, in alternating rounds on the
/// same model, prompt (the same token ids) and threads. Two random-weight llama models of the tests' kind: the tests'
/// tiny one, where per-token overhead weighs most, and a larger one whose tokens take milliseconds, like real ones.
/// </summary>
internal static class InferenceBench
{
    private const int Rounds = 5;
    private const int Tokens = 128;
    private const int Context = 1024;
    private const double Target = 0.95;
    private const string Prompt = "Hello world, the world says hello to the world and the world answers";

    private static readonly (string Name, TinyGguf.Shape Shape)[] Models =
    [
        ("tiny", TinyGguf.Tiny),
        ("small", new TinyGguf.Shape(Embedding: 512, Layers: 8, Heads: 8, FeedForward: 1536, ContextLength: Context)),
    ];

    public static async Task<IReadOnlyList<Figure>> RunAsync(NodeBinary binary, CancellationToken ct)
    {
        var library = LibraryDir();
        // Threads for all three contenders: the node's default (one per core) unless AURORA_BENCH_THREADS says otherwise.
        var threads = Environment.GetEnvironmentVariable("AURORA_BENCH_THREADS") is { Length: > 0 } text
            ? int.TryParse(text, out var n) && n > 0 ? n : throw new BenchException($"AURORA_BENCH_THREADS must be a positive number; got '{text}'")
            : Environment.ProcessorCount;
        var folder = Path.Combine(NodeProcess.BenchRoot, "inference-" + Guid.NewGuid().ToString("N")[..8]);
        var models = Path.Combine(folder, "models");
        Directory.CreateDirectory(models);
        try
        {
            foreach (var (name, shape) in Models)
            {
                TinyGguf.Write(Path.Combine(models, name + ".gguf"), shape: shape);
            }

            var loaded = LlamaLibrary.Load(library);
            Console.WriteLine($"inference: llama.cpp {loaded.Version} ({loaded.Commit}) from {library}; {threads} threads each; {Rounds} rounds of {Tokens} tokens per contender and model");
            var router = $"""
                router:
                  llama:
                    library_dir: {library}
                  models_dir: {models}
                  threads: {threads}
                  context: {Context}
                  keep_alive: -1
                  strategy: local
                """;
            await using var node = new NodeProcess(binary, NodeSetup.Lead with { Modules = router });
            await node.StartAsync(ct);
            var http = node.Client(TimeSpan.FromMinutes(2));
            var figures = new List<Figure>();
            foreach (var (name, shape) in Models)
            {
                figures.AddRange(await MeasureAsync(name, shape, Path.Combine(models, name + ".gguf"), http, threads, ct));
            }

            return figures;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<IReadOnlyList<Figure>> MeasureAsync(string name, TinyGguf.Shape shape, string path, HttpClient http, int threads, CancellationToken ct)
    {
        using var direct = new DirectGeneration(path, Context, threads);
        await using var peer = await NodeLlamaCppPeer.StartAsync(path, Context, threads, ct);
        var api = new ApiGeneration(http, name);
        var prompt = direct.Tokenize(Prompt);

        // Warm-up (the node loads the model on its first request), then rounds in a rotating order.
        var expected = direct.Run(prompt, Tokens).Text;
        var apiText = (await api.RunAsync(Prompt, Tokens, ct)).Text;
        var peerText = direct.Text((await peer.RunAsync(prompt, Tokens, ct)).Ids);
        List<GenerationTiming> ours = [], raw = [], theirs = [];
        for (var round = 0; round < Rounds; round++)
        {
            for (var turn = 0; turn < 3; turn++)
            {
                switch ((round + turn) % 3)
                {
                    case 0:
                        ours.Add(await api.RunAsync(Prompt, Tokens, ct));
                        break;
                    case 1:
                        raw.Add(direct.Run(prompt, Tokens));
                        break;
                    default:
                        theirs.Add((await peer.RunAsync(prompt, Tokens, ct)).Timing);
                        break;
                }
            }
        }

        if (apiText != expected || ours.Any(t => t.Text != expected || t.Count != Tokens))
        {
            throw new BenchException($"inference: the API's answer on {name} differs from libllama's own greedy output: not the same work");
        }

        Console.WriteLine($"  {name}: API {Spread.Of(ours.Select(t => t.TokensPerSecond)).Format("tok/s")}, libllama {Spread.Of(raw.Select(t => t.TokensPerSecond)).Format("tok/s")}, node-llama-cpp {Spread.Of(theirs.Select(t => t.TokensPerSecond)).Format("tok/s")}");
        string[] notes =
        [
            $"model {name}: random-weight llama, n_embd {shape.Embedding}, {shape.Layers} layers, n_ff {shape.FeedForward}, {direct.Parameters / 1e6:0.0}M parameters, F32 ({new FileInfo(path).Length / 1048576.0:0.0} MiB); prompt {prompt.Length} tokens, {Tokens} generated greedily; {threads} threads, context {Context}",
            "tokens/s from the first generated token to the last, as each caller sees them: the API's per NDJSON line read by the client",
            $"time to first token: API {Spread.Of(ours.Select(t => t.FirstMs)).Format("ms")}, libllama {Spread.Of(raw.Select(t => t.FirstMs)).Format("ms")}, node-llama-cpp {Spread.Of(theirs.Select(t => t.FirstMs)).Format("ms")}",
            "the API's text equals libllama's greedy output" + (peerText == expected ? "; node-llama-cpp generated the same tokens" : "; node-llama-cpp generated other tokens (its context settings differ)"),
        ];
        var tps = Spread.Of(ours.Select(t => t.TokensPerSecond));
        var rawTps = Spread.Of(raw.Select(t => t.TokensPerSecond));
        var peerTps = Spread.Of(theirs.Select(t => t.TokensPerSecond));
        return
        [
            new Figure($"inference: tokens/s through /api/generate, {name} model", "tok/s", tps, "libllama directly, in-process, same bindings", rawTps,
                $">= {Target:0.00}x", tps.Median / rawTps.Median >= Target, notes),
            new Figure($"inference: tokens/s through /api/generate against node-llama-cpp, {name} model", "tok/s", tps, $"node-llama-cpp {NodeLlamaCppPeer.Version}, same library", peerTps,
                $">= {Target:0.00}x", tps.Median / peerTps.Median >= Target, []),
        ];
    }

    // Where the node finds the library by default: $AURORA_LLAMA_LIBRARY_DIR, else packaging/fetch-llama.sh's folder.
    private static string LibraryDir()
    {
        var dir = LlamaOptions.DefaultLibraryDir();
        return File.Exists(Path.Combine(dir, LlamaBuild.LlamaFile))
            ? dir
            : throw new BenchException($"llama.cpp library missing in {dir}: run packaging/fetch-llama.sh {dir}");
    }
}
