using AuroraNode.Modules.Configuration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AuroraNode.Modules;

/// <summary>A feature of the node that loads into the host when its roles overlap the node's roles.</summary>
public interface IAuroraModule
{
    /// <summary>Short lower-case name: the config key <c>modules.&lt;name&gt;</c> and the module's log and metric label.</summary>
    string Name { get; }

    /// <summary>The roles that load this module.</summary>
    IReadOnlySet<NodeRole> Roles { get; }

    /// <summary>Where the module's options live in the config file; <c>modules:&lt;name&gt;</c> unless the design names another section.</summary>
    string ConfigSection => $"modules:{Name}";

    /// <summary>Modules this one needs loaded on the same node (through their Abstractions interfaces), e.g. <c>redis</c>.</summary>
    IReadOnlyList<string> Requires => [];

    /// <summary>
    /// Reads and validates the module's options from <paramref name="config"/> (every problem is reported
    /// to it, none thrown) and registers the module's services. Called once more into a throw-away collection
    /// by <c>aurora-node config check</c>, so it must not start anything.
    /// </summary>
    void ConfigureServices(IServiceCollection services, ConfigReader config, NodeContext node);

    /// <summary>Maps the module's HTTP endpoints.</summary>
    void MapEndpoints(IEndpointRouteBuilder app)
    {
    }
}
