namespace AuroraNode.Modules.Router.Llama;

/// <summary>How a model file is loaded. GpuLayers &lt; 0 offloads every layer (ignored by a CPU-only library).</summary>
internal sealed record LlamaModelSettings(int GpuLayers = 0)
{
    public static LlamaModelSettings Default { get; } = new();
}
