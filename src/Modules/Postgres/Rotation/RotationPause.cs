namespace AuroraNode.Modules.Postgres.Rotation;

/// <summary>
/// A test hook, off unless the environment variable <see cref="Variable"/> names a file: the first time this node
/// changes the PostgreSQL passwords on the primary, with both ALTER ROLE statements run and not yet committed, it
/// creates that file and waits (up to 60 s) until it is deleted, so that a test can kill the primary's PostgreSQL at
/// that moment: the commit's answer never comes, the interruption a pending rotation recovers from. No config key
/// sets it; the integration tests set it on one node process.
/// </summary>
internal static class RotationPause
{
    public const string Variable = "AURORA_TEST_ROTATION_PAUSE_BEFORE_COMMIT";

    private static readonly string? Marker = Environment.GetEnvironmentVariable(Variable);
    private static int _paused;

    public static async Task BeforeCommitAsync(CancellationToken ct)
    {
        if (Marker is null || Interlocked.Exchange(ref _paused, 1) == 1)
        {
            return;
        }

        await File.WriteAllTextAsync(Marker, "", ct);
        for (var i = 0; i < 600 && File.Exists(Marker); i++)
        {
            await Task.Delay(100, ct);
        }
    }
}
