using Microsoft.Extensions.Configuration;

namespace AuroraNode.Modules.Configuration;

/// <summary>
/// Everything known about one configuration: the merged values, where each came from, and the errors and
/// warnings found while reading it. Keys that nothing read are reported as unknown.
/// </summary>
public sealed class ConfigReport
{
    private readonly List<ConfigIssue> _errors = [];
    private readonly List<ConfigIssue> _warnings = [];
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);
    private readonly IReadOnlyDictionary<string, int> _fileLines;

    /// <summary>Creates a report over <paramref name="configuration"/>.</summary>
    /// <param name="configuration">File values with environment overrides applied.</param>
    /// <param name="filePath">The config file, or null when running on built-in defaults.</param>
    /// <param name="fileLines">Each leaf key of the file (colon form) with its line number.</param>
    public ConfigReport(IConfiguration configuration, string? filePath, IReadOnlyDictionary<string, int> fileLines)
    {
        Configuration = configuration;
        FilePath = filePath;
        _fileLines = fileLines;
    }

    /// <summary>The merged configuration.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>The config file, or null when running on built-in defaults.</summary>
    public string? FilePath { get; }

    /// <summary>Problems that stop the node.</summary>
    public IReadOnlyList<ConfigIssue> Errors => _errors;

    /// <summary>Problems worth a look that don't stop the node (unknown keys).</summary>
    public IReadOnlyList<ConfigIssue> Warnings => _warnings;

    /// <summary>A reader for the section at <paramref name="path"/> (colon form).</summary>
    public ConfigReader Section(string path) => new(this, path);

    /// <summary>Reports every key of the file that no reader asked for as a warning.</summary>
    public void WarnAboutUnreadKeys()
    {
        foreach (var key in _fileLines.Keys.Order(StringComparer.Ordinal))
        {
            if (!IsRead(key))
            {
                _warnings.Add(new ConfigIssue(Dotted(key), "unknown key, ignored (check its spelling and indentation)", SourceOf(key)));
            }
        }
    }

    internal void MarkRead(string key) => _read.Add(key);

    internal void AddError(string key, string message) => _errors.Add(new ConfigIssue(Dotted(key), message, SourceOf(key)));

    internal string SourceOf(string key)
    {
        var env = "AURORA__" + key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
        if (Environment.GetEnvironmentVariable(env) is not null)
        {
            return $"environment {env}";
        }

        var file = FilePath ?? "built-in defaults";
        if (_fileLines.TryGetValue(key, out var line))
        {
            return $"{file}:{line}";
        }

        // A list or mapping: the line of its first entry.
        var below = _fileLines.Where(l => l.Key.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l.Value).DefaultIfEmpty().Min();
        return below > 0 ? $"{file}:{below}" : file;
    }

    internal static string Dotted(string key) => key.Replace(':', '.');

    // A read of "node:roles" covers "node:roles:0"; a read of a section covers nothing below it.
    private bool IsRead(string key)
    {
        for (var k = key; ; k = k[..k.LastIndexOf(':')])
        {
            if (_read.Contains(k))
            {
                return true;
            }

            if (!k.Contains(':', StringComparison.Ordinal))
            {
                return false;
            }
        }
    }
}
