using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AuroraNode.Tests.TestKit;

/// <summary>
/// A lead node (running the mesh's Redis) and nodes that join it with a join token, each an aurora-node process
/// with its own data dir and PostgreSQL.
/// </summary>
public sealed class Mesh : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];
    private readonly TestNetwork? _network;

    private Mesh(TempDirectory temp, NodeProcess lead, TestNetwork? network)
    {
        Temp = temp;
        Lead = lead;
        _network = network;
        _nodes.Add(lead);
    }

    public TempDirectory Temp { get; }

    public NodeProcess Lead { get; }

    /// <summary>Starts the lead; with a <paramref name="network"/>, it and every node added run in namespaces of their own.</summary>
    public static async Task<Mesh> StartAsync(TempDirectory temp, Action<NodeConfigFile>? configureLead = null, TestNetwork? network = null)
    {
        var config = new NodeConfigFile(temp, "lead");
        configureLead?.Invoke(config);
        var lead = Place(config, network, null);
        try
        {
            await lead.StartAndWaitReadyAsync();
        }
        catch
        {
            await lead.DisposeAsync();
            throw;
        }

        return new Mesh(temp, lead, network);
    }

    /// <summary>Starts a node of <paramref name="role"/> that joins the mesh with a new token (with <paramref name="environment"/> added to its process's).</summary>
    public async Task<NodeProcess> AddAsync(string name, string role, Action<NodeConfigFile>? configure = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var token = _network is null ? await CreateJoinTokenAsync(new { role }) : await CreateJoinTokenOnTheLeadAsync(role);
        var config = JoiningConfig(name, role, token);
        configure?.Invoke(config);
        var node = Place(config, _network, environment);
        _nodes.Add(node);
        await node.StartAndWaitReadyAsync();
        return node;
    }

    /// <summary>The config of a node that joins through the lead with <paramref name="token"/>.</summary>
    public NodeConfigFile JoiningConfig(string name, string role, string token)
    {
        var config = new NodeConfigFile(Temp, name, role);
        config.Sections["mesh"] = $"lead_url: {Lead.Config.ApiUrl}\njoin_token: {token}";
        return config;
    }

    /// <summary>A token from the lead's <c>POST /api/v1/join-tokens</c> with <paramref name="request"/> as the body.</summary>
    public async Task<string> CreateJoinTokenAsync(object request)
    {
        using var response = await Lead.Http.PostAsJsonAsync("/api/v1/join-tokens", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    // As its operator would: the CLI on the lead's machine (inside its namespace), signing with the lead's key.
    private async Task<string> CreateJoinTokenOnTheLeadAsync(string role)
    {
        var result = await Executable.RunUnderAsync(Lead.Launcher, "join-token", "create", "--config", Lead.Config.Path, "--api", $"http://127.0.0.1:{Lead.Config.ApiPort}", "--role", role, "--json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr + result.Stdout);
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("token").GetString()!;
    }

    public static Dictionary<string, string> Credentials(NodeProcess node) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(node.Config.DataDir, "credentials")))!;

    /// <summary>Keeps <paramref name="node"/> (e.g. the same config started again) among those stopped at the end.</summary>
    public NodeProcess Track(NodeProcess node)
    {
        _nodes.Add(node);
        return node;
    }

    /// <summary>A new process for <paramref name="node"/>'s config (started by the caller), stopped at the end like the others.</summary>
    public NodeProcess Again(NodeProcess node) => Track(new NodeProcess(node.Config) { Launcher = node.Launcher });

    private static NodeProcess Place(NodeConfigFile config, TestNetwork? network, IReadOnlyDictionary<string, string>? environment)
    {
        environment ??= new Dictionary<string, string>();
        if (network is null)
        {
            return new NodeProcess(config) { Environment = environment };
        }

        config.Address = network.Add(config.Name);
        return new NodeProcess(config) { Launcher = network.Launcher(config.Name), Environment = environment };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }
    }
}
