using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace AuroraNode.Bench;

/// <summary>
/// The failover peer: etcd (v2 API) and three Patroni 3.0.2 members from Debian on loopback, synchronous_mode on,
/// pg_rewind on, the PostgreSQL binaries the node uses, run as the OS user <c>aurora</c> (PostgreSQL refuses root).
/// One failover: the leader's Patroni and its PostgreSQL are killed with SIGKILL while <see cref="FailoverWriter"/> commits.
/// </summary>
internal static class PatroniCluster
{
    private const string Password = "bench-password";

    public static async Task<FailoverBench.Outcome> FailoverOnceAsync(LeaseSettings lease, CancellationToken ct)
    {
        var dir = Path.Combine(NodeProcess.BenchRoot, "patroni-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var processes = new List<Process>();
        try
        {
            var (client, peer) = (NodeProcess.FreePort(), NodeProcess.FreePort());
            processes.Add(Start(dir, ["etcd", "--name", "bench", "--data-dir", Path.Combine(dir, "etcd"), "--enable-v2=true",
                "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
                "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
                "--initial-cluster", $"bench=http://127.0.0.1:{peer}"], asUser: false));
            var members = Enumerable.Range(1, 3).Select(i => new Member($"pg{i}", NodeProcess.FreePort(), NodeProcess.FreePort(), Path.Combine(dir, $"pg{i}"))).ToList();
            foreach (var m in members)
            {
                Directory.CreateDirectory(m.Dir);
                File.WriteAllText(m.Config, ConfigYaml(m, client, lease));
                await Command.RunAsync(["chown", "-R", $"{Posix.PostgresOsUser}:", dir], ct);
                m.Process = Start(m.Dir, ["patroni", m.Config], asUser: true);
                processes.Add(m.Process);

                // One at a time: the first bootstraps the cluster, the others clone it.
                await FailoverBench.WaitUntilAsync(async () => await StateAsync(m) is "running" or "streaming", $"Patroni member {m.Name} runs", ct, TimeSpan.FromSeconds(90));
            }

            await FailoverBench.WaitUntilAsync(async () => (await RolesAsync(members[0])).ContainsValue("sync_standby"), "Patroni has a synchronous standby", ct, TimeSpan.FromSeconds(90));
            var roles = await RolesAsync(members[0]);
            var leader = members.Single(m => roles[m.Name] == "leader");
            var standby = members.Single(m => roles[m.Name] == "sync_standby");
            await FailoverWriter.CreateTableAsync(leader.PgPort, Password);
            var writer = new FailoverWriter(members.Select(m => m.PgPort), Password);
            await FailoverBench.WaitUntilAsync(() => Task.FromResult(writer.Acknowledged.Count > 50), "the writer commits", ct);
            var postmaster = int.Parse(File.ReadLines(Path.Combine(leader.Dir, "data", "postmaster.pid")).First());
            var killedAt = writer.Clock.Elapsed;
            Posix.Send(leader.Process!.Id, Posix.SigKill);
            Posix.Send(postmaster, Posix.SigKill);
            var others = members.Where(m => m != leader).Select(m => m.PgPort).ToHashSet();
            await FailoverBench.WaitUntilAsync(() => Task.FromResult(writer.Acknowledged.Any(a => others.Contains(a.Port))), "another Patroni member acknowledges a commit", ct, TimeSpan.FromSeconds(180));
            var first = writer.Acknowledged.First(a => others.Contains(a.Port));
            await writer.DisposeAsync();
            return new FailoverBench.Outcome((first.At - killedAt).TotalSeconds, await writer.LostOnAsync(first.Port, Password), writer.Acknowledged.Count);
        }
        finally
        {
            foreach (var p in Enumerable.Reverse(processes))
            {
                foreach (var child in p.HasExited ? [] : ProcFs.Descendants(p.Id))
                {
                    Posix.Send(child, Posix.SigKill);
                }

                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                }

                // Not WaitForExitAsync: a killed member's PostgreSQL may still hold its output pipes open.
                p.WaitForExit(TimeSpan.FromSeconds(10));
                p.Dispose();
            }

            // Postmasters of killed members may outlive them briefly.
            await Command.RunAsync(["pkill", "-9", "-f", dir], CancellationToken.None);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string ConfigYaml(Member m, int etcdPort, LeaseSettings lease) => $"""
        scope: bench
        name: {m.Name}
        restapi:
          listen: 127.0.0.1:{m.RestPort}
          connect_address: 127.0.0.1:{m.RestPort}
        etcd:
          host: 127.0.0.1:{etcdPort}
        bootstrap:
          dcs:
            ttl: {lease.Ttl}
            loop_wait: {lease.LoopWait}
            retry_timeout: {lease.RetryTimeout}
            maximum_lag_on_failover: 1048576
            synchronous_mode: true
            postgresql:
              use_pg_rewind: true
              parameters:
                wal_log_hints: "on"
          initdb:
            - encoding: UTF8
            - auth: scram-sha-256
          pg_hba:
            - host replication replicator 127.0.0.1/32 scram-sha-256
            - host all all 127.0.0.1/32 scram-sha-256
        postgresql:
          listen: 127.0.0.1:{m.PgPort}
          connect_address: 127.0.0.1:{m.PgPort}
          data_dir: {Path.Combine(m.Dir, "data")}
          bin_dir: {PostgresBin()}
          pgpass: {Path.Combine(m.Dir, "pgpass")}
          authentication:
            superuser:
              username: postgres
              password: {Password}
            replication:
              username: replicator
              password: {Password}
          parameters:
            unix_socket_directories: "{m.Dir}"
        """;

    private static string PostgresBin() =>
        Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin")).FirstOrDefault()
        ?? throw new BenchException("no PostgreSQL server binaries under /usr/lib/postgresql");

    private static Process Start(string dir, string[] command, bool asUser)
    {
        string[] full = asUser ? Posix.AsPostgresUser(command) : command;
        var info = new ProcessStartInfo(full[0]) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in full.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["HOME"] = dir;
        try
        {
            var process = Process.Start(info)!;
            var log = new StreamWriter(Path.Combine(dir, $"{Path.GetFileName(command[0])}.log")) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line) lock (log) { log.WriteLine(line); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (log) { log.WriteLine(line); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BenchException($"cannot run {full[0]}: {ex.Message}; install patroni and etcd-server (see bench/README.md)");
        }
    }

    private static async Task<string?> StateAsync(Member m)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var body = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{m.RestPort}/patroni");
            return body.GetProperty("state").GetString();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    private static async Task<Dictionary<string, string>> RolesAsync(Member m)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var body = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{m.RestPort}/cluster");
            return body.GetProperty("members").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!, x => x.GetProperty("role").GetString()!);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return [];
        }
    }

    private sealed record Member(string Name, int PgPort, int RestPort, string Dir)
    {
        public string Config => Path.Combine(Dir, "patroni.yml");

        public Process? Process { get; set; }
    }
}
