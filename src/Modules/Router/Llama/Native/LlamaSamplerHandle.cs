using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>A struct llama_sampler * (a chain that owns its samplers), freed with llama_sampler_free.</summary>
internal sealed class LlamaSamplerHandle : SafeHandle
{
    public LlamaSamplerHandle(nint sampler)
        : base(0, ownsHandle: true) => SetHandle(sampler);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
