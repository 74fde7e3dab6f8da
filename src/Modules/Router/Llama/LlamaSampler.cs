using AuroraNode.Modules.Router.Llama.Native;

namespace AuroraNode.Modules.Router.Llama;

/// <summary>A llama.cpp sampler chain built from <see cref="SamplingSettings"/>, for one generation at a time.</summary>
internal sealed class LlamaSampler : IDisposable
{
    private readonly LlamaSamplerHandle chain;

    public LlamaSampler(SamplingSettings settings)
    {
        chain = new LlamaSamplerHandle(LlamaNative.llama_sampler_chain_init(LlamaNative.llama_sampler_chain_default_params()));
        var c = chain.DangerousGetHandle();
        if (settings.IsGreedy)
        {
            LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_greedy());
            return;
        }

        if (settings.TopK > 0)
        {
            LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_top_k(settings.TopK));
        }

        if (settings.TopP is > 0 and < 1)
        {
            LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_top_p(settings.TopP, 1));
        }

        LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_temp(settings.Temperature));
        LlamaNative.llama_sampler_chain_add(c, LlamaNative.llama_sampler_init_dist(settings.Seed ?? LlamaNative.DefaultSeed));
    }

    public int Count => LlamaNative.llama_sampler_chain_n(chain.DangerousGetHandle());

    /// <summary>Picks a token from the last decode's logits and records it in the chain's history.</summary>
    public int Sample(LlamaContext context) => LlamaNative.llama_sampler_sample(chain.DangerousGetHandle(), context.Pointer, -1);

    public void Dispose() => chain.Dispose();
}
