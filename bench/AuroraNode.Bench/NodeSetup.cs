namespace AuroraNode.Bench;

/// <summary>What a benchmark node is: its name, its roles, and the Redis it uses (null: it runs its own, as a lead does).</summary>
internal sealed record NodeSetup(string Name, string Roles, string? RedisUrl)
{
    public static NodeSetup Lead { get; } = new("bench", "lead", null);
}
