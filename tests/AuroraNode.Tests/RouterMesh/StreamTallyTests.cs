using System.Text;
using AuroraNode.Modules.Router.Routing;

namespace AuroraNode.Tests.RouterMesh;

/// <summary>The figures read from an answer passing through: Ollama's own, OpenAI's usage, or the pieces counted.</summary>
public sealed class StreamTallyTests
{
    [Test]
    public void Figures_OllamaFinalLine_TakenAsTheServerReportsThem()
    {
        var tally = Feed("{\"response\":\"a\",\"done\":false}\n{\"response\":\"b\",\"done\":false}\n",
            "{\"done\":true,\"prompt_eval_count\":9,\"prompt_eval_duration\":3000000,\"eval_count\":2,\"eval_duration\":40000000}\n");

        var (prompt, promptDuration, eval, evalDuration) = tally.Figures(streamed: true, promptTokensGuess: 1);

        Assert.That((prompt, promptDuration, eval, evalDuration), Is.EqualTo((9, TimeSpan.FromMilliseconds(3), 2, TimeSpan.FromMilliseconds(40))));
    }

    [Test]
    public void Figures_SseWithUsage_TokensFromTheUsage()
    {
        var tally = Feed("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}\n\ndata: [DONE]\n\n");

        var (prompt, _, eval, _) = tally.Figures(streamed: true, promptTokensGuess: 1);

        Assert.That((prompt, eval), Is.EqualTo((5, 3)));
    }

    [Test]
    public void Figures_SseWithoutUsage_CountsThePieces()
    {
        var tally = Feed("data: {\"a\":1}\n\ndata: {\"a\":2}\n", "\ndata: {\"a\":3}\n\ndata: {\"a\":4}\n\ndata: [DONE]\n\n");

        var (prompt, _, eval, _) = tally.Figures(streamed: true, promptTokensGuess: 6.4);

        Assert.That((tally.Pieces, prompt, eval), Is.EqualTo((4, 6, 3)));
    }

    [Test]
    public void Add_LineSplitAcrossReads_ReadAsOne()
    {
        var tally = Feed("{\"done\":true,\"eval_cou", "nt\":4,\"eval_duration\":1000000}");

        Assert.That(tally.Figures(streamed: false, promptTokensGuess: 1).EvalTokens, Is.EqualTo(4));
    }

    private static StreamTally Feed(params string[] reads)
    {
        var tally = new StreamTally();
        foreach (var read in reads)
        {
            tally.Add(Encoding.UTF8.GetBytes(read));
        }

        return tally;
    }
}
