namespace AuroraNode.Modules.Data;

/// <summary>
/// A module's schema and the SQL scripts that build it, applied in name order on the primary at start.
/// A script, once applied, is never changed: add a new one.
/// </summary>
/// <param name="Schema">The module's schema (usually the module name).</param>
/// <param name="Scripts">Scripts by name, e.g. <c>0001_nodes</c>.</param>
public sealed record SchemaMigrations(string Schema, IReadOnlyList<MigrationScript> Scripts);

/// <summary>One migration script.</summary>
/// <param name="Name">Unique within the schema; scripts run in ordinal order of their names.</param>
/// <param name="Sql">The script; it runs in one transaction.</param>
public sealed record MigrationScript(string Name, string Sql);
