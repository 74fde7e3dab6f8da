using AuroraNode.Modules;

namespace AuroraNode.Hosting;

/// <summary>
/// The node's data directory: created if missing, checked writable, and locked for the life of the process
/// so two nodes never share one (the lock is released by the kernel even on SIGKILL).
/// </summary>
internal sealed class DataDirectory : IDisposable
{
    private readonly FileStream _lock;

    private DataDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    public string Path { get; }

    public static DataDirectory Open(string path)
    {
        try
        {
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }

            var probe = System.IO.Path.Combine(path, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException("node.data_dir", $"{path} is not a writable folder ({ex.Message}); create it and give it to the user that runs the node, or choose another node.data_dir");
        }

        try
        {
            var lockFile = new FileStream(System.IO.Path.Combine(path, "node.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new DataDirectory(path, lockFile);
        }
        catch (IOException)
        {
            throw new StartupException("node.data_dir", $"another aurora-node is already running with {path}; stop it, or give this node its own node.data_dir");
        }
    }

    public void Dispose() => _lock.Dispose();
}
