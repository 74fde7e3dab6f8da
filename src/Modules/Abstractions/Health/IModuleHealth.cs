namespace AuroraNode.Modules.Health;

/// <summary>A module's live health check; the node is ready when every loaded module reports <see cref="ModuleState.Running"/>.</summary>
public interface IModuleHealth
{
    /// <summary>The module's name.</summary>
    string Module { get; }

    /// <summary>Checks the module now (e.g. a query on PostgreSQL, a PING on Redis).</summary>
    Task<ModuleHealthReport> CheckAsync(CancellationToken ct);
}

/// <summary>The outcome of a module health check.</summary>
/// <param name="State">The module's state.</param>
/// <param name="Detail">One line a person can act on.</param>
/// <param name="Data">Facts worth showing (port, pid, version, restarts).</param>
public sealed record ModuleHealthReport(ModuleState State, string Detail, IReadOnlyDictionary<string, object?>? Data = null);
