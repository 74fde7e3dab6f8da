namespace AuroraNode.Modules.Router.Load;

/// <summary>
/// What a model is, for Ollama's /api/tags on every node: its size in bytes, SHA-256 digest, time, and the
/// details an Ollama server lists (family, parameter size, quantization). Empty strings where unknown.
/// </summary>
internal sealed record ModelFacts(long Size, string Digest, DateTimeOffset? ModifiedAt, string Family = "", string ParameterSize = "", string QuantizationLevel = "");
