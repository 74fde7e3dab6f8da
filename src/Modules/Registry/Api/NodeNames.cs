using System.Text.RegularExpressions;

namespace AuroraNode.Modules.Registry.Api;

/// <summary>What a node name may be: the same rule as the config's <c>node.name</c>.</summary>
internal static partial class NodeNames
{
    public const string Rule = "letters, digits, '-' and '_', at most 63";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")]
    public static partial Regex Valid();
}
