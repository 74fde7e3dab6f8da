using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AuroraNode.Modules.Postgres.Server;

/// <summary>Finds the PostgreSQL server binaries and their major version.</summary>
internal static partial class PostgresBinaries
{
    /// <summary>The folders searched when <c>postgres.bin_dir</c> is empty, newest version first.</summary>
    public static IEnumerable<string> Candidates()
    {
        foreach (var root in new[] { "/usr/lib/postgresql", "/opt/homebrew/opt", "/usr/local/opt" })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            var versions = Directory.EnumerateDirectories(root)
                .Select(d => (Dir: d, Version: VersionOf(Path.GetFileName(d))))
                .Where(v => v.Version > 0)
                .OrderByDescending(v => v.Version);
            foreach (var v in versions)
            {
                yield return Path.Combine(v.Dir, "bin");
            }
        }

        yield return "/usr/local/pgsql/bin";
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return dir;
        }
    }

    public static bool HasServer(string dir) =>
        File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

    /// <summary>The major version printed by <c>postgres --version</c>, or null when it can't be run.</summary>
    public static int? MajorVersion(string dir)
    {
        try
        {
            var info = new ProcessStartInfo(Path.Combine(dir, "postgres"), "--version") { RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(info)!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            var m = VersionText().Match(text);
            return m.Success ? int.Parse(m.Groups[1].Value) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    // "15" under /usr/lib/postgresql, "postgresql@16" under Homebrew.
    private static int VersionOf(string name)
    {
        var m = FolderVersion().Match(name);
        return m.Success ? int.Parse(m.Groups[1].Value) : 0;
    }

    [GeneratedRegex(@"^(?:postgresql@)?(\d+)$")]
    private static partial Regex FolderVersion();

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionText();
}
