namespace AuroraNode.Configuration;

/// <summary>Which config file a command uses: <c>--config PATH</c>, else <c>./aurora-node.yaml</c>, else <c>/etc/aurora-node/aurora-node.yaml</c>, else built-in defaults.</summary>
internal static class ConfigLocator
{
    public static readonly string[] DefaultPaths = ["aurora-node.yaml", "/etc/aurora-node/aurora-node.yaml"];

    /// <summary>The file to read, or null for built-in defaults; an explicit path that doesn't exist is an error.</summary>
    public static string? Locate(string? explicitPath, out string? error)
    {
        error = null;
        if (explicitPath is not null)
        {
            if (!File.Exists(explicitPath))
            {
                error = $"config file {explicitPath} not found; give the path of an aurora-node.yaml (the repository has a documented one)";
            }

            return Path.GetFullPath(explicitPath);
        }

        return DefaultPaths.Where(File.Exists).Select(Path.GetFullPath).FirstOrDefault();
    }
}
