using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>struct llama_batch at <see cref="LlamaBuild.Commit"/> (56 bytes on x86-64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatch
{
    public int NTokens;
    public int* Token;
    public float* Embd;
    public int* Pos;
    public int* NSeqId;
    public int** SeqId;
    public sbyte* Logits;
}
