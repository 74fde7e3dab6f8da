using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AuroraNode.Hosting;
using AuroraNode.Modules.Credentials;

namespace AuroraNode.Cli;

/// <summary>
/// <c>aurora-node backup [--to PATH]</c>: a consistent base backup of the mesh's current primary (pg_basebackup with
/// the WAL streamed alongside, pg_basebackup's own progress), checked with pg_verifybackup. It is built under
/// <c>PATH.partial</c> and renamed when verified, so an interrupted backup never looks like a complete one.
/// Runs on a node's machine, as a user that can read the node's credentials file.
/// </summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var config = CliOptions.Config();
        var api = CliOptions.Api();
        var json = CliOptions.Json();
        var to = new Option<string?>("--to") { Description = "Where to write the backup (default: ./aurora-backup-<date>-<time>); must not exist or be empty", HelpName = "PATH" };
        var command = new Command("backup", "Take a consistent base backup of the current primary PostgreSQL, with progress, verified when done") { to, config, api, json };
        command.SetAction((result, ct) => RunAsync(
            CliOptions.ApiOf(result, api, config),
            Path.GetFullPath(result.GetValue(to) ?? $"aurora-backup-{DateTime.Now:yyyyMMdd-HHmmss}"),
            result.GetValue(json),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(string api, string target, bool json, CancellationToken ct)
    {
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() || File.Exists(target))
        {
            await Console.Error.WriteLineAsync($"aurora-node: {target} exists and is not empty; choose another --to (nothing was written)");
            return AuroraCli.Failed;
        }

        if (await NodeApiClient.GetAsync(api, "/api/v1/node", ct) is not { } nodeBody || await NodeApiClient.GetAsync(api, "/api/v1/replication", ct) is not { } replicationBody)
        {
            return AuroraCli.Failed;
        }

        var node = JsonDocument.Parse(nodeBody).RootElement;
        var replication = JsonDocument.Parse(replicationBody).RootElement;
        var binDir = node.GetProperty("modules").EnumerateArray().Where(m => m.GetProperty("name").GetString() == "postgres")
            .Select(m => m.TryGetProperty("data", out var d) && d.TryGetProperty("bin_dir", out var b) ? b.GetString() : null).FirstOrDefault();
        var primary = replication.GetProperty("role").GetString() == "primary" ? replication.GetProperty("address").GetString() : replication.GetProperty("primary").GetString();
        if (binDir is null || primary is null)
        {
            await Console.Error.WriteLineAsync("aurora-node: the node does not run its own PostgreSQL (postgres.managed: false) or knows no primary; back that server up with its own tools");
            return AuroraCli.Failed;
        }

        string? password;
        try
        {
            password = new NodeCredentials(node.GetProperty("data_dir").GetString()!).Get(CredentialKeys.ReplicationPassword);
        }
        catch (UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"aurora-node: cannot read the node's credentials in {node.GetProperty("data_dir").GetString()}; run backup as root or as the user the node runs as");
            return AuroraCli.Failed;
        }

        if (password is null)
        {
            await Console.Error.WriteLineAsync("aurora-node: the node's credentials hold no replication password yet; is its PostgreSQL started?");
            return AuroraCli.Failed;
        }

        return await BackUpAsync(binDir, primary, password, target, json, ct);
    }

    private static async Task<int> BackUpAsync(string binDir, string primary, string password, string target, bool json, CancellationToken ct)
    {
        var partial = target + ".partial";
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true); // Left by an interrupted run: never a complete backup.
        }

        var passFile = Path.Combine(Path.GetTempPath(), $"aurora-backup-{Environment.ProcessId}.pgpass");
        File.WriteAllText(passFile, "");
        File.SetUnixFileMode(passFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(passFile, $"*:*:*:replicator:{password.Replace(@"\", @"\\").Replace(":", @"\:")}\n");
        var clock = Stopwatch.StartNew();
        try
        {
            var colon = primary.LastIndexOf(':');
            if (!json)
            {
                Console.WriteLine($"backing up the primary at {primary} into {target}");
            }

            var code = await RunToolAsync(Path.Combine(binDir, "pg_basebackup"), ["-h", primary[..colon], "-p", primary[(colon + 1)..], "-U", "replicator", "--no-password", "-D", partial, "-X", "stream", "-c", "fast", "-l", "aurora-node backup", .. json ? Array.Empty<string>() : ["-P"]], passFile, json, ct);
            if (code != 0)
            {
                await Console.Error.WriteLineAsync($"aurora-node: pg_basebackup failed with exit code {code}; nothing usable was left at {target}");
                return AuroraCli.Failed;
            }

            if (await RunToolAsync(Path.Combine(binDir, "pg_verifybackup"), ["--quiet", partial], passFile, json, ct) != 0)
            {
                await Console.Error.WriteLineAsync($"aurora-node: pg_verifybackup found the backup in {partial} damaged; it was not renamed to {target}");
                return AuroraCli.Failed;
            }

            if (Directory.Exists(target))
            {
                Directory.Delete(target); // Empty, checked before starting.
            }

            Directory.Move(partial, target);
            var bytes = new DirectoryInfo(target).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { path = target, primary, bytes, seconds = clock.Elapsed.TotalSeconds, verified = true }, CliJson.Options));
            }
            else
            {
                Console.WriteLine($"backup done in {clock.Elapsed.TotalSeconds:0.0} s: {bytes / 1048576.0:0.0} MiB in {target}, verified with pg_verifybackup");
            }

            return AuroraCli.Ok;
        }
        finally
        {
            File.Delete(passFile);
        }
    }

    // Progress goes straight to the terminal (pg_basebackup -P redraws one line); with --json only our own JSON reaches stdout.
    private static async Task<int> RunToolAsync(string file, string[] args, string passFile, bool quiet, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = quiet, RedirectStandardError = quiet };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PGPASSFILE"] = passFile;
        using var process = Process.Start(info)!;
        var output = quiet ? Task.WhenAll(process.StandardOutput.ReadToEndAsync(ct), process.StandardError.ReadToEndAsync(ct)) : Task.FromResult(Array.Empty<string>());
        await process.WaitForExitAsync(ct);
        var lines = await output;
        if (process.ExitCode != 0 && quiet)
        {
            await Console.Error.WriteAsync(string.Concat(lines));
        }

        return process.ExitCode;
    }
}
