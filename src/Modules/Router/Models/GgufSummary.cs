namespace AuroraNode.Modules.Router.Models;

/// <summary>
/// What a GGUF header says of its model: general.architecture ("" if absent), general.file_type (a llama_ftype, null
/// if absent), the parameter count (general.parameter_count, else the sum of the tensors' element counts) and the
/// ggml type most of its tensors have (null without tensors).
/// </summary>
internal sealed record GgufSummary(string Architecture, uint? FileType, ulong ParameterCount, uint? MostCommonTensorType);
