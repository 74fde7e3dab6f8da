using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AuroraNode.Configuration;

/// <summary>Reads the YAML config file into flat configuration keys (<c>node:roles:0</c>) with the line each came from.</summary>
internal static class YamlConfigFile
{
    public sealed record Content(Dictionary<string, string?> Values, Dictionary<string, int> Lines);

    /// <summary>The file's keys, or null with <paramref name="error"/> set when it can't be read or parsed.</summary>
    public static Content? Read(string path, out string? error)
    {
        error = null;
        var content = new Content(new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase));
        try
        {
            using var reader = File.OpenText(path);
            var stream = new YamlStream();
            stream.Load(reader);
            if (stream.Documents.Count == 0)
            {
                return content;
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                error = $"{path}:{stream.Documents[0].RootNode.Start.Line}: the file must be a YAML mapping (key: value lines), like the aurora-node.yaml shipped with the node";
                return null;
            }

            Flatten(root, "", content);
            return content;
        }
        catch (YamlException ex)
        {
            error = $"{path}:{ex.Start.Line}: YAML syntax error: {ex.InnerException?.Message ?? ex.Message}";
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way (without a position) on some unclosed flow collections.
            error = $"{path}: YAML syntax error: the file could not be parsed; look for an unclosed [ or {{ or a stray quote";
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: cannot read the config file: {ex.Message}";
            return null;
        }
    }

    private static void Flatten(YamlNode node, string path, Content content)
    {
        switch (node)
        {
            case YamlMappingNode map when map.Children.Count > 0:
                foreach (var (key, value) in map.Children)
                {
                    Flatten(value, Join(path, key is YamlScalarNode k ? k.Value ?? "" : key.ToString()), content);
                }

                break;
            case YamlSequenceNode { Children.Count: 0 } or YamlMappingNode { Children.Count: 0 }:
                // "roles: []" is an empty list, not a missing key.
                content.Values[path] = "";
                content.Lines[path] = (int)node.Start.Line;
                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    Flatten(seq.Children[i], Join(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), content);
                }

                break;
            case YamlScalarNode scalar:
                var isNull = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "" or "~" or "null";
                content.Values[path] = isNull ? null : scalar.Value;
                if (!isNull)
                {
                    // An empty key (a section left with only comments) is not worth an "unknown key" warning.
                    content.Lines[path] = (int)node.Start.Line;
                }

                break;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}:{key}";
}
