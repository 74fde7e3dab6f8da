using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>struct llama_context_params at <see cref="LlamaBuild.Commit"/> (160 bytes on x86-64). C bools are bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaContextParams
{
    public uint NCtx;                       // 0 = from model
    public uint NBatch;
    public uint NUbatch;
    public uint NSeqMax;
    public uint NRsSeq;
    public uint NOutputsMax;
    public uint NOutputsMaxPerSeq;
    public int NThreads;
    public int NThreadsBatch;
    public int CtxType;                     // enum llama_context_type
    public int RopeScalingType;             // enum llama_rope_scaling_type
    public int PoolingType;                 // enum llama_pooling_type
    public int AttentionType;               // enum llama_attention_type
    public int FlashAttnType;               // enum llama_flash_attn_type
    public float RopeFreqBase;
    public float RopeFreqScale;
    public float YarnExtFactor;
    public float YarnAttnFactor;
    public float YarnBetaFast;
    public float YarnBetaSlow;
    public uint YarnOrigCtx;
    public float DefragThold;
    public nint CbEval;                     // ggml_backend_sched_eval_callback
    public nint CbEvalUserData;
    public int TypeK;                       // enum ggml_type
    public int TypeV;
    public nint AbortCallback;              // ggml_abort_callback
    public nint AbortCallbackData;
    public byte Embeddings;
    public byte OffloadKqv;
    public byte NoPerf;
    public byte OpOffload;
    public byte SwaFull;
    public byte KvUnified;
    public nint Samplers;                   // struct llama_sampler_seq_config *
    public nuint NSamplers;
    public nint CtxOther;                   // struct llama_context *
}
