using System.Globalization;
using System.Net;

namespace AuroraNode.Modules.Configuration;

/// <summary>
/// Typed, validating access to one config section. A bad value is reported to the <see cref="ConfigReport"/>
/// with its key and source and the fallback is returned, so one pass finds every problem.
/// </summary>
public sealed class ConfigReader
{
    private readonly ConfigReport _report;

    internal ConfigReader(ConfigReport report, string path)
    {
        _report = report;
        Path = path;
    }

    /// <summary>The section path in colon form, e.g. <c>modules:registry</c>.</summary>
    public string Path { get; }

    /// <summary>The config file in use, or null on built-in defaults.</summary>
    public string? FilePath => _report.FilePath;

    /// <summary>A reader for a child section.</summary>
    public ConfigReader Section(string name) => new(_report, Key(name));

    /// <summary>True when the key has a value.</summary>
    public bool Has(string key) => _report.Configuration[Key(key)] is not null || _report.Configuration.GetSection(Key(key)).GetChildren().Any();

    /// <summary>Records a problem found by a check across several keys.</summary>
    public void Error(string key, string message) => _report.AddError(Key(key), message);

    /// <summary>A string value; empty strings count as unset.</summary>
    public string? String(string key, string? fallback = null)
    {
        var raw = Scalar(key);
        return string.IsNullOrWhiteSpace(raw) ? fallback : raw.Trim();
    }

    /// <summary>A whole number in [min, max].</summary>
    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = Scalar(key);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Error(key, $"expected a whole number, got '{raw}'");
            return fallback;
        }

        if (value < min || value > max)
        {
            Error(key, $"must be between {min} and {max}, got {value}");
            return fallback;
        }

        return value;
    }

    /// <summary>A TCP port (1-65535).</summary>
    public int Port(string key, int fallback) => Int(key, fallback, 1, 65535);

    /// <summary>true/false (also yes/no, on/off).</summary>
    public bool Bool(string key, bool fallback)
    {
        var raw = Scalar(key);
        switch (raw?.Trim().ToLowerInvariant())
        {
            case null or "":
                return fallback;
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                Error(key, $"expected true or false, got '{raw}'");
                return fallback;
        }
    }

    /// <summary>A duration written like <c>500ms</c>, <c>10s</c>, <c>2m</c>, <c>72h</c>, <c>7d</c>.</summary>
    public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan? min = null)
    {
        var raw = Scalar(key);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (!Durations.TryParse(raw, out var value))
        {
            Error(key, $"expected a duration like 500ms, 10s, 2m or 72h, got '{raw}'");
            return fallback;
        }

        if (min is { } floor && value < floor)
        {
            Error(key, $"must be at least {Durations.Format(floor)}, got {raw}");
            return fallback;
        }

        return value;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), returned in lower case.</summary>
    public string Choice(string key, string fallback, params string[] allowed)
    {
        var raw = String(key);
        if (raw is null)
        {
            return fallback;
        }

        var match = allowed.FirstOrDefault(a => a.Equals(raw, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            Error(key, $"must be one of {string.Join(", ", allowed)}, got '{raw}'");
            return fallback;
        }

        return match;
    }

    /// <summary>A list, written as a YAML sequence or as one comma-separated string (handy in environment variables).</summary>
    public IReadOnlyList<string> List(string key)
    {
        var full = Key(key);
        _report.MarkRead(full);
        var section = _report.Configuration.GetSection(full);
        if (section.Value is { } single)
        {
            return single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var items = new List<string>();
        foreach (var child in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            if (!int.TryParse(child.Key, out _) || child.Value is null)
            {
                Error(key, "expected a list of values, like [a, b]");
                return [];
            }

            items.Add(child.Value.Trim());
        }

        return items;
    }

    /// <summary>A host:port endpoint; the host may be an IP address, a name, or empty for all addresses.</summary>
    public (string Host, int Port) HostPort(string key, string fallbackHost, int fallbackPort)
    {
        var raw = String(key);
        if (raw is null)
        {
            return (fallbackHost, fallbackPort);
        }

        var colon = raw.LastIndexOf(':');
        var host = colon < 0 ? raw : raw[..colon].Trim('[', ']');
        var portText = colon < 0 ? null : raw[(colon + 1)..];
        if (portText is null || !int.TryParse(portText, out var port) || port is < 1 or > 65535)
        {
            Error(key, $"expected host:port with a port from 1 to 65535, like 0.0.0.0:8700, got '{raw}'");
            return (fallbackHost, fallbackPort);
        }

        if (host.Length == 0 || host == "*")
        {
            host = "0.0.0.0";
        }

        if (!IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            Error(key, $"'{host}' is neither an IP address nor a host name");
            return (fallbackHost, fallbackPort);
        }

        return (host, port);
    }

    /// <summary>The keys of a mapping under <paramref name="key"/> (e.g. the model names of <c>models:</c>), in file order.</summary>
    public IReadOnlyList<string> Keys(string key)
    {
        var section = _report.Configuration.GetSection(Key(key));
        if (section.Value is not null)
        {
            Error(key, "expected a mapping of names to settings, got a single value");
            return [];
        }

        return section.GetChildren().Select(c => c.Key).ToList();
    }

    /// <summary>Marks the whole section as known without reading it (a module that doesn't load here).</summary>
    public void KnownSection() => _report.MarkRead(Path);

    private string? Scalar(string key)
    {
        var full = Key(key);
        _report.MarkRead(full);
        var section = _report.Configuration.GetSection(full);
        if (section.Value is null && section.GetChildren().Any())
        {
            Error(key, "expected a single value, got a list or mapping");
            return null;
        }

        return section.Value;
    }

    private string Key(string key) => Path.Length == 0 ? key : $"{Path}:{key}";
}
