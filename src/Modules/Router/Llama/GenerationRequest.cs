namespace AuroraNode.Modules.Router.Llama;

/// <summary>A raw prompt (already templated) and how much to generate from it.</summary>
internal sealed record GenerationRequest(string Prompt, int MaxTokens, SamplingSettings Sampling);
