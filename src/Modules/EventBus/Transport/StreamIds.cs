namespace AuroraNode.Modules.EventBus.Transport;

/// <summary>Redis stream entry ids (<c>milliseconds-sequence</c>) in their order.</summary>
internal static class StreamIds
{
    public static int Compare(string a, string b) => Parse(a).CompareTo(Parse(b));

    private static (long Ms, long Seq) Parse(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? (long.TryParse(id, out var only) ? only : 0, 0)
            : (long.TryParse(id.AsSpan(0, dash), out var ms) ? ms : 0, long.TryParse(id.AsSpan(dash + 1), out var seq) ? seq : 0);
    }
}
