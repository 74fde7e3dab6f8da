using System.Net;

namespace AuroraNode.Modules;

/// <summary>Facts about this node that every module may read.</summary>
/// <param name="Name">The node's name in the mesh (<c>node.name</c>).</param>
/// <param name="Roles">The node's roles (<c>node.roles</c>).</param>
/// <param name="DataDir">Absolute path of <c>node.data_dir</c>; each module keeps its files in a sub-folder.</param>
/// <param name="AdvertiseAddress">The address other nodes reach this one on (<c>node.advertise_address</c>).</param>
/// <param name="Version">The node's software version.</param>
/// <param name="ApiPort">The port of the node's HTTP API (<c>api.listen</c>).</param>
/// <param name="LeadUrl">The lead's API for a node that joins the mesh (<c>mesh.lead_url</c>); null on the lead.</param>
public sealed record NodeContext(
    string Name,
    IReadOnlySet<NodeRole> Roles,
    string DataDir,
    string AdvertiseAddress,
    string Version,
    int ApiPort,
    Uri? LeadUrl)
{
    /// <summary>The URL other nodes reach this node's API on.</summary>
    public string AdvertiseUrl => $"http://{(AdvertiseAddress.Contains(':') ? $"[{AdvertiseAddress}]" : AdvertiseAddress)}:{ApiPort}";

    /// <summary>True when the node has any of <paramref name="roles"/>.</summary>
    public bool HasAnyRole(IEnumerable<NodeRole> roles) => roles.Any(Roles.Contains);

    /// <summary>Where the node's servers listen: loopback, and the advertise address when it is another one.</summary>
    public IEnumerable<string> ListenAddresses()
    {
        yield return "127.0.0.1";
        if (IPAddress.TryParse(AdvertiseAddress, out var ip) && !IPAddress.IsLoopback(ip) && !ip.Equals(IPAddress.Any))
        {
            yield return AdvertiseAddress;
        }
    }
}
