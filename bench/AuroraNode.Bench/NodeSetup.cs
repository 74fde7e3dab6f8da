namespace AuroraNode.Bench;

/// <summary>
/// What a benchmark node is: its name, its roles, and the Redis it uses (null: its own, as a lead and a backup do).
/// A node that joins a lead names it and its join token; extra lines go into the postgres, redis and modules sections.
/// With <c>LogFile</c> it logs from information up, also to <c>data_dir/logs</c>, which <see cref="NodeProcess.KeepLogsIn"/> can keep.
/// </summary>
internal sealed record NodeSetup(string Name, string Roles, string? RedisUrl, string? LeadUrl = null, string? JoinToken = null, string Postgres = "", string Redis = "", string Modules = "", bool LogFile = false)
{
    public static NodeSetup Lead { get; } = new("bench", "lead", null);
}
