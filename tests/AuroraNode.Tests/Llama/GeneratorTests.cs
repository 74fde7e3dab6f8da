using System.Diagnostics;
using AuroraNode.Modules.Router.Llama;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Llama;

public sealed class GeneratorTests
{
    private const string Prompt = "Hello world, the";

    [Test]
    public async Task Generate_Greedy_IsDeterministic()
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var generator = new Generator(context);

        var first = await CollectAsync(generator, new GenerationRequest(Prompt, 24, SamplingSettings.Greedy));
        var second = await CollectAsync(generator, new GenerationRequest(Prompt, 24, SamplingSettings.Greedy));

        Assert.Multiple(() =>
        {
            Assert.That(second.Tokens, Is.EqualTo(first.Tokens));
            Assert.That(second.Text, Is.EqualTo(first.Text));
            Assert.That(first.Tokens.Distinct().Count(), Is.GreaterThan(1), "random weights should not repeat one token");
        });
    }

    [TestCase(1)]
    [TestCase(17)]
    [TestCase(64)]
    public async Task Generate_MaxTokens_ProducesThatManyAndCountsThem(int maxTokens)
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var promptTokens = TinyModel.Model.Tokenize(Prompt).Length;

        var result = await CollectAsync(new Generator(context), new GenerationRequest(Prompt, maxTokens, SamplingSettings.Greedy));

        Assert.Multiple(() =>
        {
            Assert.That(result.Tokens, Has.Count.EqualTo(maxTokens));
            Assert.That(result.Stats.EvalTokens, Is.EqualTo(maxTokens));
            Assert.That(result.Stats.PromptTokens, Is.EqualTo(promptTokens));
            Assert.That(result.Stats.DoneReason, Is.EqualTo("length"));
            Assert.That(result.Stats.PromptDuration, Is.GreaterThan(TimeSpan.Zero));
            Assert.That(result.Stats.TotalDuration, Is.GreaterThanOrEqualTo(result.Stats.PromptDuration + result.Stats.EvalDuration));
            Assert.That(result.Text, Is.EqualTo(TinyModel.Model.Detokenize(result.Tokens.ToArray())));
        });
        TestContext.Out.WriteLine(
            $"prompt {result.Stats.PromptTokens} tokens in {result.Stats.PromptDuration.TotalMilliseconds:F2} ms, " +
            $"{result.Stats.EvalTokens} tokens in {result.Stats.EvalDuration.TotalMilliseconds:F2} ms = {result.Stats.EvalTokensPerSecond:F0} tokens/s");
    }

    [Test]
    public async Task Generate_PromptAndTokensPastTheContext_StopAtTheContextEnd()
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var promptTokens = TinyModel.Model.Tokenize(Prompt).Length;

        var result = await CollectAsync(new Generator(context), new GenerationRequest(Prompt, 1000, SamplingSettings.Greedy));

        Assert.That(result.Tokens, Has.Count.EqualTo(context.ContextSize - promptTokens));
    }

    [Test]
    public async Task Generate_PromptLongerThanTheContext_FailsSayingSo()
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var prompt = string.Concat(Enumerable.Repeat("x ", 300));

        var e = await Assert.ThrowsAsync<LlamaException>(() => CollectAsync(new Generator(context), new GenerationRequest(prompt, 4, SamplingSettings.Greedy)));

        Assert.That(e!.Message, Does.Contain("the context holds 256"));
    }

    [Test]
    public async Task Generate_SeededSampling_RepeatsAndDiffersFromGreedy()
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var generator = new Generator(context);
        var sampling = new SamplingSettings(Temperature: 1.5f, TopK: 100, TopP: 0.99f, Seed: 42);

        var first = await CollectAsync(generator, new GenerationRequest(Prompt, 32, sampling));
        var again = await CollectAsync(generator, new GenerationRequest(Prompt, 32, sampling));
        var greedy = await CollectAsync(generator, new GenerationRequest(Prompt, 32, SamplingSettings.Greedy));

        Assert.Multiple(() =>
        {
            Assert.That(again.Tokens, Is.EqualTo(first.Tokens));
            Assert.That(first.Tokens, Is.Not.EqualTo(greedy.Tokens));
        });
    }

    [Test]
    public async Task Generate_Cancelled_StopsPromptlyAndFreesTheContext()
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var generator = new Generator(context);
        using var cts = new CancellationTokenSource();
        var seen = 0;
        var clock = new Stopwatch();

        await Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in generator.GenerateAsync(new GenerationRequest(Prompt, 10_000, SamplingSettings.Greedy), cts.Token))
            {
                if (++seen == 3)
                {
                    clock.Start();
                    await cts.CancelAsync();
                }
            }
        });
        clock.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.LessThan(50), "tokens after the cancel");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        });
        var after = await CollectAsync(generator, new GenerationRequest(Prompt, 4, SamplingSettings.Greedy));
        Assert.That(after.Tokens, Has.Count.EqualTo(4), "the context works again after a cancel");
    }

    [Test]
    public async Task Generate_CallerStopsReading_FreesTheContext()
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var generator = new Generator(context);

        await foreach (var chunk in generator.GenerateAsync(new GenerationRequest(Prompt, 200, SamplingSettings.Greedy)))
        {
            break;
        }

        var after = await CollectAsync(generator, new GenerationRequest(Prompt, 4, SamplingSettings.Greedy));
        Assert.That(after.Tokens, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task Generate_WhileAnotherRuns_IsRefused()
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        var generator = new Generator(context);
        await using var running = generator.GenerateAsync(new GenerationRequest(Prompt, 200, SamplingSettings.Greedy)).GetAsyncEnumerator();
        await running.MoveNextAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => CollectAsync(generator, new GenerationRequest(Prompt, 4, SamplingSettings.Greedy)));
    }

    [Test]
    public async Task Contexts_TwoOnOneModel_WorkInTurnAndAgree()
    {
        using var a = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));
        using var b = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 128));
        var request = new GenerationRequest(Prompt, 16, SamplingSettings.Greedy);

        var fromA = await CollectAsync(new Generator(a), request);
        var fromB = await CollectAsync(new Generator(b), request);
        var fromAAgain = await CollectAsync(new Generator(a), request with { Prompt = "the world" });
        var fromBAgain = await CollectAsync(new Generator(b), request with { Prompt = "the world" });

        Assert.Multiple(() =>
        {
            Assert.That(fromB.Tokens, Is.EqualTo(fromA.Tokens));
            Assert.That(fromBAgain.Tokens, Is.EqualTo(fromAAgain.Tokens));
            Assert.That(fromAAgain.Tokens, Is.Not.EqualTo(fromA.Tokens));
        });
    }

    [Test]
    public void Context_Threads_AreOnePerCore()
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256));

        Assert.That(context.Threads, Is.EqualTo(Environment.ProcessorCount));
    }

    // Figures, not a timed assertion (bench/ holds those): printed for one thread and for one per core.
    [TestCase(1)]
    [TestCase(0)]
    public async Task Generate_TinyModel_ReportsTokensPerSecond(int threads)
    {
        using var context = TinyModel.Model.CreateContext(new LlamaContextSettings(ContextSize: 256, Threads: threads));
        var generator = new Generator(context);
        await CollectAsync(generator, new GenerationRequest(Prompt, 8, SamplingSettings.Greedy));

        var result = await CollectAsync(generator, new GenerationRequest(Prompt, 100, SamplingSettings.Greedy));

        TestContext.Out.WriteLine(
            $"{context.Threads} threads: {result.Stats.EvalTokensPerSecond:F0} tokens/s generated, " +
            $"{result.Stats.PromptTokensPerSecond:F0} tokens/s prompt ({result.Stats.PromptTokens} tokens)");
        Assert.That(result.Stats.EvalTokensPerSecond, Is.GreaterThan(0));
    }

    private static async Task<Collected> CollectAsync(Generator generator, GenerationRequest request, CancellationToken ct = default)
    {
        var tokens = new List<int>();
        var text = new System.Text.StringBuilder();
        GenerationStats? stats = null;
        await foreach (var chunk in generator.GenerateAsync(request, ct))
        {
            text.Append(chunk.Text);
            if (chunk.Done is { } done)
            {
                stats = done;
            }
            else
            {
                tokens.Add(chunk.Token);
            }
        }

        return new Collected(tokens, text.ToString(), stats ?? throw new AssertionException("no final chunk"));
    }

    private sealed record Collected(List<int> Tokens, string Text, GenerationStats Stats);
}
