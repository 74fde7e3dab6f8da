using System.Diagnostics;
using System.Text;
using AuroraNode.Modules.Router.Llama;

namespace AuroraNode.Bench;

/// <summary>
/// The inference benchmark's raw limit: libllama called in this process through the node's own P/Invoke
/// declarations, in the tightest loop there is — decode the prompt, then sample greedily and decode one token at a
/// time — with no queue, thread hop, HTTP or JSON. The model and its context stay loaded between runs.
/// </summary>
internal sealed class DirectGeneration(string modelPath, int context, int threads) : IDisposable
{
    private readonly LlamaModel _model = LlamaModel.Load(modelPath);
    private LlamaContext? _context;

    /// <summary>The model's parameter count, as llama.cpp reports it.</summary>
    public ulong Parameters => _model.ParameterCount;

    public int[] Tokenize(string prompt) => _model.Tokenize(prompt, addSpecial: true, parseSpecial: true);

    /// <summary>The text of generated token ids, as <see cref="Run"/> builds it.</summary>
    public string Text(IEnumerable<int> ids) => Encoding.UTF8.GetString([.. ids.SelectMany(id => _model.TokenToPiece(id))]);

    public GenerationTiming Run(int[] prompt, int tokens)
    {
        _context ??= _model.CreateContext(new LlamaContextSettings(context, Threads: threads));
        using var sampler = new LlamaSampler(SamplingSettings.Greedy);
        var ids = new List<int>(tokens);
        var started = Stopwatch.GetTimestamp();
        _context.Clear();
        _context.Decode(prompt);
        long first = 0, last = 0;
        Span<int> one = stackalloc int[1];
        for (var i = 0; i < tokens; i++)
        {
            one[0] = sampler.Sample(_context);
            last = Stopwatch.GetTimestamp();
            first = i == 0 ? last : first;
            ids.Add(one[0]);
            if (i + 1 < tokens)
            {
                _context.Decode(one);
            }
        }

        var done = Stopwatch.GetTimestamp();
        return new GenerationTiming(
            tokens,
            Stopwatch.GetElapsedTime(started, first).TotalMilliseconds,
            Stopwatch.GetElapsedTime(first, last).TotalMilliseconds,
            Stopwatch.GetElapsedTime(started, done).TotalMilliseconds,
            Text(ids));
    }

    public void Dispose()
    {
        _context?.Dispose();
        _model.Dispose();
    }
}
