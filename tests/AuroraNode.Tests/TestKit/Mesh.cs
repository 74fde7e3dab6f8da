using System.Text.Json;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// A lead node (running the mesh's Redis) and nodes that use its Redis, each an aurora-node process with its
/// own data dir and PostgreSQL.
/// </summary>
public sealed class Mesh : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];

    private Mesh(TempDirectory temp, NodeProcess lead)
    {
        Temp = temp;
        Lead = lead;
        _nodes.Add(lead);
    }

    public TempDirectory Temp { get; }

    public NodeProcess Lead { get; }

    public string RedisUrl => $"redis://:{Credentials(Lead)["redis.password"]}@127.0.0.1:{Lead.Config.RedisPort}";

    public static async Task<Mesh> StartAsync(TempDirectory temp, Action<NodeConfigFile>? configureLead = null)
    {
        var config = new NodeConfigFile(temp, "lead");
        configureLead?.Invoke(config);
        var lead = new NodeProcess(config);
        await lead.StartAndWaitReadyAsync();
        return new Mesh(temp, lead);
    }

    /// <summary>Starts a node of <paramref name="role"/> that uses the lead's Redis.</summary>
    public async Task<NodeProcess> AddAsync(string name, string role)
    {
        var config = new NodeConfigFile(Temp, name, role);
        config.Sections["redis"] = $"managed: false\nurl: {RedisUrl}";
        var node = new NodeProcess(config);
        _nodes.Add(node);
        await node.StartAndWaitReadyAsync();
        return node;
    }

    public static Dictionary<string, string> Credentials(NodeProcess node) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(node.Config.DataDir, "credentials")))!;

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }
    }
}
