using System.Globalization;

namespace AuroraNode.Modules.Router.Models;

/// <summary>A model file's details as Ollama lists them: family (its architecture), parameter size ("1.2B") and quantization ("Q4_K_M").</summary>
internal sealed record ModelDetails(string Family, string ParameterSize, string QuantizationLevel)
{
    public static ModelDetails From(GgufSummary gguf) =>
        new(gguf.Architecture, gguf.ParameterCount == 0 ? "" : ParameterSizeOf(gguf.ParameterCount), QuantizationNames.Of(gguf));

    /// <summary>Ollama's way of writing a parameter count: "8B", "8.0B", "134.52M", "130K", "999".</summary>
    public static string ParameterSizeOf(ulong count)
    {
        const double Thousand = 1e3, Million = 1e6, Billion = 1e9;
        var n = (double)count;
        return n switch
        {
            >= Billion => Scaled(n / Billion, "F1", "B"),
            >= Million => Scaled(n / Million, "F2", "M"),
            >= Thousand => (n / Thousand).ToString("F0", CultureInfo.InvariantCulture) + "K",
            _ => count.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static string Scaled(double value, string format, string unit) =>
        (value == Math.Floor(value) ? value.ToString("F0", CultureInfo.InvariantCulture) : value.ToString(format, CultureInfo.InvariantCulture)) + unit;
}
