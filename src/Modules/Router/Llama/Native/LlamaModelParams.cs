using System.Runtime.InteropServices;

namespace AuroraNode.Modules.Router.Llama.Native;

/// <summary>struct llama_model_params at <see cref="LlamaBuild.Commit"/> (80 bytes on x86-64). C bools are bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelParams
{
    public nint Devices;                    // ggml_backend_dev_t *, NULL-terminated; NULL = all
    public nint TensorBuftOverrides;        // const struct llama_model_tensor_buft_override *
    public int NGpuLayers;                  // < 0 = all layers
    public int SplitMode;                   // enum llama_split_mode
    public int LoadMode;                    // enum llama_load_mode (-1 auto, 0 none, 1 mmap, ...)
    public int LazyMode;                    // enum llama_lazy_mode
    public int MainGpu;
    public nint TensorSplit;                // const float *
    public nint ProgressCallback;           // llama_progress_callback
    public nint ProgressCallbackUserData;
    public nint KvOverrides;                // const struct llama_model_kv_override *
    public byte VocabOnly;
    public byte CheckTensors;
    public byte UseExtraBufts;
    public byte NoHost;
    public byte NoAlloc;
    public byte LoadMtp;
}
