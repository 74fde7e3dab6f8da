namespace AuroraNode.Bench;

/// <summary>
/// One greedy generation as its caller saw it: tokens generated, start → first token, first → last token, start →
/// end, and what was generated (text), so the contenders can be checked to have done the same work.
/// </summary>
internal sealed record GenerationTiming(int Count, double FirstMs, double GenerationMs, double TotalMs, string Text)
{
    /// <summary>Generation speed between the first and the last token (the prompt's decode excluded).</summary>
    public double TokensPerSecond => GenerationMs <= 0 ? 0 : (Count - 1) / GenerationMs * 1000;
}
