using AuroraNode.Modules.Postgres;

namespace AuroraNode.Tests.Modules;

public sealed class PostgresModuleTests : ModuleConformance<PostgresModule>
{
    protected override (string Yaml, string Key) BadOption => ("postgres:\n  port: -1\n", "postgres.port");
}
