namespace AuroraNode.Modules.Router.Llama;

/// <summary>A raw prompt (already templated) and how much to generate from it; its tokens when the caller has them already.</summary>
internal sealed record GenerationRequest(string Prompt, int MaxTokens, SamplingSettings Sampling, int[]? PromptTokens = null);
