namespace AuroraNode.Modules.Router.Llama;

/// <summary>
/// How the next token is picked. Temperature &lt;= 0 is greedy (always the most likely token); otherwise top-k,
/// top-p and temperature narrow the choice and a seeded draw picks (Seed null: a random seed). Defaults are Ollama's.
/// </summary>
internal sealed record SamplingSettings(float Temperature = 0.8f, int TopK = 40, float TopP = 0.9f, uint? Seed = null)
{
    public static SamplingSettings Greedy { get; } = new(Temperature: 0);

    public bool IsGreedy => Temperature <= 0;
}
