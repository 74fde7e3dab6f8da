namespace AuroraNode.Tests.TestKit;

/// <summary>
/// A temp folder for one fixture. World-traversable, because a node running as root starts PostgreSQL as an
/// unprivileged user that must reach its data dir. Disposing kills every process still running from it, and
/// deletes it unless AURORA_TESTS_KEEP=1 (to read the nodes' logs after a failure).
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine("/tmp", "aurora-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
        foreach (var dir in new[] { "/tmp/aurora-tests", Path })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        }
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        ProcessCleanup.KillEverythingUnder(Path);
        if (Environment.GetEnvironmentVariable("AURORA_TESTS_KEEP") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that just died may still be closing files; the OS cleans /tmp.
        }
    }
}
