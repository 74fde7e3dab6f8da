namespace AuroraNode.Modules.Router.Models;

/// <summary>
/// Ollama's quantization_level names: of llama.cpp's llama_ftype (general.file_type), or, for a file without one,
/// guessed like llama.cpp from the ggml type most of its tensors have ("unknown" where neither helps).
/// </summary>
internal static class QuantizationNames
{
    public const string Unknown = "unknown";

    // llama_ftype (llama.h); 4 to 6 and 33 to 35 are no longer written.
    private static readonly Dictionary<uint, string> FileTypes = new()
    {
        [0] = "F32", [1] = "F16", [2] = "Q4_0", [3] = "Q4_1", [7] = "Q8_0", [8] = "Q5_0", [9] = "Q5_1",
        [10] = "Q2_K", [11] = "Q3_K_S", [12] = "Q3_K_M", [13] = "Q3_K_L", [14] = "Q4_K_S", [15] = "Q4_K_M",
        [16] = "Q5_K_S", [17] = "Q5_K_M", [18] = "Q6_K", [19] = "IQ2_XXS", [20] = "IQ2_XS", [21] = "Q2_K_S",
        [22] = "IQ3_XS", [23] = "IQ3_XXS", [24] = "IQ1_S", [25] = "IQ4_NL", [26] = "IQ3_S", [27] = "IQ3_M",
        [28] = "IQ2_S", [29] = "IQ2_M", [30] = "IQ4_XS", [31] = "IQ1_M", [32] = "BF16", [36] = "TQ1_0",
        [37] = "TQ2_0", [38] = "MXFP4_MOE", [39] = "NVFP4", [40] = "Q1_0",
    };

    // ggml_type (ggml.h) → the llama_ftype llama.cpp guesses for a file whose tensors are mostly of it.
    private static readonly Dictionary<uint, uint> Guesses = new()
    {
        [0] = 0, [1] = 1, [2] = 2, [3] = 3, [6] = 8, [7] = 9, [8] = 7, [10] = 10, [11] = 12, [12] = 15, [13] = 17,
        [14] = 18, [16] = 19, [17] = 20, [18] = 23, [19] = 24, [20] = 25, [21] = 26, [22] = 28, [23] = 30,
        [29] = 31, [30] = 32, [34] = 36, [35] = 37, [39] = 38,
    };

    public static string Of(GgufSummary gguf) => gguf switch
    {
        { FileType: { } fileType } => FileTypes.GetValueOrDefault(fileType, Unknown),
        { MostCommonTensorType: { } type } when Guesses.TryGetValue(type, out var guessed) => FileTypes[guessed],
        _ => Unknown,
    };
}
