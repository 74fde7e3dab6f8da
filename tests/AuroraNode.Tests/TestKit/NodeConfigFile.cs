namespace AuroraNode.Tests.TestKit;

/// <summary>
/// An aurora-node.yaml for a test node: free ports, its own data dir, logs to a file, and any extra YAML the
/// test adds. Keys given in <see cref="Extra"/> replace the defaults of the same section.
/// </summary>
public sealed class NodeConfigFile
{
    public NodeConfigFile(TempDirectory dir, string name, string roles = "lead")
    {
        Dir = dir;
        Name = name;
        Roles = roles;
        ApiPort = FreePort.Next();
        PostgresPort = FreePort.Next();
        RedisPort = FreePort.Next();
        SentinelPort = FreePort.Next();
        DataDir = dir.Combine(name, "data");
        Path = dir.Combine(name, "aurora-node.yaml");
    }

    /// <summary>The <c>modules</c> section every test node has unless a test replaces it.</summary>
    public const string ShortRegistryIntervals = "registry:\n  heartbeat_interval: 500ms\n  warning_after: 2s\n  offline_after: 4s\n  health_report_interval: 500ms\n  alert_after: 2";

    public TempDirectory Dir { get; }

    public string Name { get; }

    public string Roles { get; set; }

    public int ApiPort { get; }

    public int PostgresPort { get; }

    public int RedisPort { get; }

    public int SentinelPort { get; }

    public string DataDir { get; }

    public string Path { get; }

    /// <summary>The address the node listens on and advertises (another one than loopback inside a <see cref="TestNetwork"/>).</summary>
    public string Address { get; set; } = "127.0.0.1";

    public string ApiUrl => $"http://{Address}:{ApiPort}";

    /// <summary>Whole sections to use instead of the defaults, e.g. <c>["postgres"] = "managed: false\nconnection_string: ..."</c>.</summary>
    public Dictionary<string, string> Sections { get; } = [];

    public string Write()
    {
        var sections = new Dictionary<string, string>
        {
            ["node"] = $"name: {Name}\nroles: [{Roles}]\ndata_dir: {DataDir}\nadvertise_address: {Address}",
            // Inside a namespace on all of its addresses, so its own machine reaches it on loopback too.
            ["api"] = $"listen: {(Address == "127.0.0.1" ? Address : "0.0.0.0")}:{ApiPort}",
            ["logging"] = "level: information\nfile: true",
            ["postgres"] = $"port: {PostgresPort}\nstop_timeout: 10s",
            ["redis"] = $"port: {RedisPort}\nsentinel_port: {SentinelPort}\nstop_timeout: 10s",
            ["modules"] = ShortRegistryIntervals,
        };
        foreach (var (key, value) in Sections)
        {
            sections[key] = value;
        }

        var yaml = string.Join("\n", sections.Select(s => $"{s.Key}:\n" + string.Join("\n", s.Value.Split('\n').Select(l => "  " + l))));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        File.WriteAllText(Path, yaml + "\n");
        return Path;
    }
}
