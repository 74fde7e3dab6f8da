namespace AuroraNode.Bench;

/// <summary>
/// What a benchmark node is: its name, its roles, and the Redis it uses (null: its own, as a lead and a backup do).
/// A node that joins a lead names it and its join token; extra lines go into the postgres and redis sections.
/// </summary>
internal sealed record NodeSetup(string Name, string Roles, string? RedisUrl, string? LeadUrl = null, string? JoinToken = null, string Postgres = "", string Redis = "")
{
    public static NodeSetup Lead { get; } = new("bench", "lead", null);
}
