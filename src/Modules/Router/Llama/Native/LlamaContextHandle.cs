using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>A struct llama_context *, freed with llama_free; keeps its model alive until then.</summary>
internal sealed class LlamaContextHandle : SafeHandle
{
    private readonly LlamaModelHandle model;

    public LlamaContextHandle(nint context, LlamaModelHandle model)
        : base(0, ownsHandle: true)
    {
        var added = false;
        model.DangerousAddRef(ref added);
        this.model = model;
        SetHandle(context);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        model.DangerousRelease();
        return true;
    }
}
