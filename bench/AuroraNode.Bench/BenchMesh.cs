using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>
/// A mesh of node processes on this machine: a lead running the mesh's Redis, and compute nodes using it, each
/// with its own folder and PostgreSQL. Disposing stops them all (the lead last) and deletes their folders.
/// </summary>
internal sealed class BenchMesh : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];

    private BenchMesh(NodeProcess lead) => _nodes.Add(lead);

    public NodeProcess Lead => _nodes[0];

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>The lead's Redis password, written to its data dir once Redis is ready.</summary>
    public string RedisPassword { get; private set; } = "";

    /// <summary>The lead's redis-server, the mesh's one Redis.</summary>
    public int RedisServerPid => ProcFs.Descendants(Lead.Pid).FirstOrDefault(pid => ProcFs.Command(pid) == "redis-server") is var pid and > 0
        ? pid
        : throw new BenchException("the lead has no redis-server child");

    /// <summary>StackExchange.Redis configuration for the lead's Redis.</summary>
    public string RedisConfiguration => $"127.0.0.1:{Lead.RedisPort},password={RedisPassword}";

    /// <summary>Starts a lead, then compute nodes named <paramref name="computeNames"/> (in parallel) that use its Redis.</summary>
    public static async Task<BenchMesh> StartAsync(NodeBinary binary, IReadOnlyList<string> computeNames, CancellationToken ct)
    {
        var mesh = new BenchMesh(new NodeProcess(binary, new NodeSetup("lead", "lead", null)));
        try
        {
            await mesh.Lead.StartAsync(ct);
            mesh.RedisPassword = ReadRedisPassword(mesh.Lead);
            var redisUrl = $"redis://:{mesh.RedisPassword}@127.0.0.1:{mesh.Lead.RedisPort}";
            var computes = computeNames.Select(name => new NodeProcess(binary, new NodeSetup(name, "compute", redisUrl))).ToList();
            mesh._nodes.AddRange(computes);
            await Task.WhenAll(computes.Select(n => n.StartAsync(ct)));
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    public NodeProcess this[string name] => _nodes.First(n => n.Name == name);

    public async ValueTask DisposeAsync()
    {
        // The compute nodes first: they use the lead's Redis, and would spend their stop retrying it.
        var errors = new List<Exception>();
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            try
            {
                await node.DisposeAsync();
            }
            catch (Exception ex) when (ex is BenchException or IOException)
            {
                errors.Add(ex);
            }
        }

        if (errors.Count > 0)
        {
            throw new BenchException(string.Join("\n", errors.Select(e => e.Message)));
        }
    }

    private static string ReadRedisPassword(NodeProcess lead)
    {
        var path = Path.Combine(lead.DataDir, "credentials");
        var credentials = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        return credentials?.GetValueOrDefault("redis.password") ?? throw new BenchException($"{path} holds no redis.password");
    }
}
