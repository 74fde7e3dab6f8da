using System.Globalization;
using System.Text.Json;
using AuroraNode.Modules.Configuration;

namespace AuroraNode.Modules.Router.Inference;

/// <summary>
/// Ollama's keep_alive: a duration ("5m", "1h30m"), a number of seconds, 0 to unload right after the request,
/// or a negative value to keep the model loaded. Null means "forever".
/// </summary>
internal static class KeepAlive
{
    public static bool TryParse(string text, out TimeSpan? value)
    {
        var t = text.Trim();
        value = null;
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = seconds < 0 ? null : TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (t.StartsWith('-') && Durations.TryParse(t[1..], out _))
        {
            return true;
        }

        if (Durations.TryParse(t, out var d))
        {
            value = d;
            return true;
        }

        return false;
    }

    /// <summary>A request's keep_alive (a JSON string or number); false with no value when it is neither.</summary>
    public static bool TryRead(JsonElement? element, TimeSpan? fallback, out TimeSpan? value)
    {
        value = fallback;
        switch (element?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined:
                return true;
            case JsonValueKind.Number:
                var seconds = element.Value.GetDouble();
                value = seconds < 0 ? null : TimeSpan.FromSeconds(seconds);
                return true;
            case JsonValueKind.String:
                return TryParse(element.Value.GetString() ?? "", out value);
            default:
                return false;
        }
    }
}
