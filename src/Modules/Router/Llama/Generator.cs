using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;

namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// Runs prompts on one <see cref="LlamaContext"/>, one at a time: decodes on a thread of its own (llama.cpp
/// blocks) and streams the pieces back. Cancelling stops the decode in flight, not only the next one.
/// The reader's continuation runs on the decode thread as each piece is written: no thread is woken per token, and
/// none competes with llama.cpp's threads while it decodes (the reader writes between two decodes).
/// </summary>
internal sealed class Generator(LlamaContext context, TimeProvider? time = null)
{
    private readonly TimeProvider time = time ?? TimeProvider.System;
    private readonly DecodeThread decoder = new("llama decode");
    private int busy;

    public LlamaContext Context => context;

    /// <summary>Yields each generated piece, then one chunk with the figures.</summary>
    /// <exception cref="InvalidOperationException">A generation is already running on this context.</exception>
    /// <exception cref="LlamaException">The prompt does not fit the context, or llama.cpp failed.</exception>
    public async IAsyncEnumerable<GenerationChunk> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(request.MaxTokens);
        if (Interlocked.Exchange(ref busy, 1) == 1)
        {
            throw new InvalidOperationException("a generation is already running on this context");
        }

        var channel = Channel.CreateUnbounded<GenerationChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        context.ResetAbort();
        var producer = Task.CompletedTask;
        try
        {
            using var abort = stop.Token.Register(context.Abort);
            producer = decoder.RunAsync(() => Produce(request, channel.Writer, stop.Token));
            await foreach (var chunk in channel.Reader.ReadAllAsync(ct))
            {
                yield return chunk;
            }
        }
        finally
        {
            // Also when the caller stops reading early: the context is free again only once the decode has returned.
            await stop.CancelAsync();
            await producer;
            context.ResetAbort();
            Volatile.Write(ref busy, 0);
        }
    }

    private void Produce(GenerationRequest request, ChannelWriter<GenerationChunk> writer, CancellationToken ct)
    {
        try
        {
            Run(request, writer, ct);
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
        }
    }

    private void Run(GenerationRequest request, ChannelWriter<GenerationChunk> writer, CancellationToken ct)
    {
        var model = context.Model;
        var started = time.GetTimestamp();
        var prompt = request.PromptTokens ?? model.Tokenize(request.Prompt, addSpecial: true, parseSpecial: true);
        if (prompt.Length == 0)
        {
            throw new LlamaException("the prompt is empty and the model adds no start token");
        }

        if (prompt.Length >= context.ContextSize)
        {
            throw new LlamaException($"the prompt has {prompt.Length} tokens; the context holds {context.ContextSize} (raise num_ctx)");
        }

        var maxTokens = Math.Min(request.MaxTokens, context.ContextSize - prompt.Length);
        context.Clear();
        context.Decode(prompt);
        var promptDone = time.GetTimestamp();

        using var sampler = new LlamaSampler(request.Sampling);
        var utf8 = Encoding.UTF8.GetDecoder();
        var chars = new char[64];
        var generated = 0;
        var reason = "length";
        Span<int> last = stackalloc int[1];
        while (generated < maxTokens)
        {
            ct.ThrowIfCancellationRequested();
            var token = sampler.Sample(context);
            if (model.IsEndOfGeneration(token))
            {
                reason = "stop";
                break;
            }

            generated++;
            var piece = model.TokenToPiece(token);
            var n = utf8.GetChars(piece, 0, piece.Length, chars, 0, flush: false);
            writer.TryWrite(new GenerationChunk(new string(chars, 0, n), token, null));
            if (generated == maxTokens)
            {
                break;
            }

            last[0] = token;
            context.Decode(last);
        }

        var done = time.GetTimestamp();
        var tail = utf8.GetChars([], 0, 0, chars, 0, flush: true);
        var stats = new GenerationStats(
            prompt.Length,
            time.GetElapsedTime(started, promptDone),
            generated,
            time.GetElapsedTime(promptDone, done),
            time.GetElapsedTime(started, done),
            reason);
        writer.TryWrite(new GenerationChunk(new string(chars, 0, tail), -1, stats));
    }
}
