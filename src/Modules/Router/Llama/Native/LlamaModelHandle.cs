using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>A struct llama_model *, freed with llama_model_free.</summary>
internal sealed class LlamaModelHandle : SafeHandle
{
    public LlamaModelHandle(nint model)
        : base(0, ownsHandle: true) => SetHandle(model);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}
