using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using AuroraNode.Modules;
using AuroraNode.Modules.Configuration;

namespace AuroraNode.Configuration;

/// <summary>Reads and validates the <c>node</c>, <c>api</c>, <c>mesh</c> and <c>logging</c> sections.</summary>
internal static partial class NodeSettingsReader
{
    public static string Version { get; } =
        typeof(NodeSettingsReader).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static NodeSettings Read(ConfigReport report)
    {
        var node = report.Section("node");
        var name = node.String("name", Environment.MachineName.ToLowerInvariant())!;
        if (!NodeName().IsMatch(name))
        {
            node.Error("name", $"'{name}' is not a valid node name: use letters, digits, '-' and '_' (at most 63, starting with a letter or digit)");
        }

        var roles = ReadRoles(node);
        var dataDir = ResolvePath(node.String("data_dir", "./data")!, report.FilePath);
        var advertise = node.String("advertise_address", "127.0.0.1")!;
        if (!IPAddress.TryParse(advertise, out var ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            node.Error("advertise_address", $"expected the IP address other nodes reach this one on (like 10.0.0.3), got '{advertise}'");
        }

        var api = report.Section("api");
        var (host, port) = api.HostPort("listen", "0.0.0.0", ApiSettings.DefaultPort);
        var cacheFor = api.Duration("status_cache", TimeSpan.FromSeconds(1));
        var metricsAllow = new List<IPNetwork>();
        foreach (var entry in api.List("metrics_allow"))
        {
            if (IPNetwork.TryParse(entry, out var network) || (IPAddress.TryParse(entry, out var single) && IPNetwork.TryParse($"{single}/{(single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}", out network)))
            {
                metricsAllow.Add(network);
            }
            else
            {
                api.Error("metrics_allow", $"expected addresses or networks like 10.0.0.5 or 10.0.0.0/24 that may scrape /metrics without a token, got '{entry}'");
            }
        }

        var mesh = ReadMesh(report.Section("mesh"), roles);

        var logging = report.Section("logging");
        var settings = new LoggingSettings(
            logging.Choice("level", "information", "debug", "information", "warning", "error"),
            logging.Choice("format", "text", "text", "json") == "json",
            logging.Bool("file", true),
            logging.Int("retained_files", 7, 1, 365));

        var context = new NodeContext(name, roles, dataDir, advertise, Version, port, mesh.LeadUrl);
        return new NodeSettings(context, new ApiSettings(host, port, cacheFor, metricsAllow), mesh, settings);
    }

    private static MeshSettings ReadMesh(ConfigReader mesh, HashSet<NodeRole> roles)
    {
        Uri? leadUrl = null;
        if (mesh.String("lead_url") is { } text)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out leadUrl) || leadUrl.Scheme is not ("http" or "https") || leadUrl.PathAndQuery != "/")
            {
                mesh.Error("lead_url", $"expected the lead's API like http://10.0.0.1:8700, got '{text}'");
                leadUrl = null;
            }
            else if (roles.Contains(NodeRole.Lead))
            {
                mesh.Error("lead_url", "a lead node does not join another lead; remove mesh.lead_url or give this node another role");
            }
        }

        var token = mesh.String("join_token");
        if (token is not null && leadUrl is null && !mesh.Has("lead_url"))
        {
            mesh.Error("join_token", "needs mesh.lead_url: the lead that created the token");
        }

        return new MeshSettings(leadUrl, token);
    }

    private static HashSet<NodeRole> ReadRoles(ConfigReader node)
    {
        var roles = new HashSet<NodeRole>();
        var listed = node.Has("roles") ? node.List("roles") : ["lead"];
        foreach (var text in listed)
        {
            if (NodeRoles.TryParse(text, out var role))
            {
                roles.Add(role);
            }
            else
            {
                node.Error("roles", $"unknown role '{text}'; use lead, backup, compute or edge");
            }
        }

        if (listed.Count == 0)
        {
            node.Error("roles", "at least one role is needed: lead, backup, compute or edge");
        }

        // With the roles in error, check the rest of the file as for the default role, so every error shows at once.
        return roles.Count > 0 ? roles : [NodeRole.Lead];
    }

    // Relative paths are relative to the config file, so a node runs the same from any working directory.
    private static string ResolvePath(string path, string? configFile)
    {
        var expanded = path.StartsWith('~') ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..] : path;
        var baseDir = configFile is null ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(configFile))!;
        return Path.GetFullPath(expanded, baseDir);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex NodeName();
}
