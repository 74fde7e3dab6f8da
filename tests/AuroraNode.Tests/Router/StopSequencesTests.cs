using AuroraNode.Modules.Router.Inference;

namespace AuroraNode.Tests.Router;

public sealed class StopSequencesTests
{
    [TestCase(new[] { "ab", "cd", "ef" }, new[] { "cd" }, "ab", true)]
    [TestCase(new[] { "a", "bc", "d" }, new[] { "cd" }, "ab", true)]
    [TestCase(new[] { "a", "b", "c" }, new[] { "x" }, "abc", false)]
    [TestCase(new[] { "hel", "lo w", "orld" }, new[] { "o w" }, "hell", true)]
    [TestCase(new[] { "abc" }, new string[0], "abc", false)]
    [TestCase(new[] { "xa", "y" }, new[] { "ab" }, "xay", false)]
    [TestCase(new[] { "12", "34" }, new[] { "4", "23" }, "1", true)]
    public void Push_Pieces_EmitTextBeforeTheFirstStop(string[] pieces, string[] stops, string expected, bool stopped)
    {
        var sequences = new StopSequences(stops);
        var emitted = "";
        var hit = false;
        foreach (var piece in pieces)
        {
            var (emit, stop) = sequences.Push(piece);
            emitted += emit;
            if (stop)
            {
                hit = true;
                break;
            }
        }

        if (!hit)
        {
            emitted += sequences.Flush();
        }

        Assert.That((emitted, hit), Is.EqualTo((expected, stopped)));
    }

    [Test]
    public void Push_PossibleStart_IsHeldBack()
    {
        var sequences = new StopSequences(["END"]);

        Assert.That(sequences.Push("text E").Emit, Is.EqualTo("text "));
        Assert.That(sequences.Push("x").Emit, Is.EqualTo("Ex"));
    }
}
