using System.Diagnostics;

namespace AuroraNode.Modules.Processes;

/// <summary>The unprivileged OS user a root node runs its servers as.</summary>
public static class OsUser
{
    /// <summary>Creates <paramref name="name"/> as a system user without a home or login shell if it doesn't exist.</summary>
    public static void EnsureExists(string name)
    {
        if (Run("id", "-u", name).ExitCode == 0)
        {
            return;
        }

        var (code, output) = Run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name);
        if (code != 0)
        {
            throw new StartupException("postgres.os_user", $"could not create the OS user '{name}' ({output.Trim()}); create it yourself or name an existing unprivileged user");
        }
    }

    /// <summary>Gives <paramref name="path"/> and everything below it to <paramref name="user"/>.</summary>
    public static void Chown(string path, string user)
    {
        var (code, output) = Run("chown", "-R", $"{user}:", path);
        if (code != 0)
        {
            throw new StartupException(null, $"could not give {path} to the OS user '{user}': {output.Trim()}");
        }
    }

    /// <summary>True when <paramref name="user"/> can enter every folder on the way to <paramref name="path"/>.</summary>
    public static bool CanReach(string user, string path) => Run("setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", "--", "test", "-x", path).ExitCode == 0;

    private static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
