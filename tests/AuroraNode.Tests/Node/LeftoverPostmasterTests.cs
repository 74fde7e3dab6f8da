using System.Globalization;
using System.Text.RegularExpressions;
using AuroraNode.Tests.Replication;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Node;

/// <summary>
/// A node killed with SIGKILL leaves its PostgreSQL running; at its next start it finds it through postmaster.pid.
/// Only the postmaster that wrote the file is stopped (never another cluster's server that got its pid), and a primary
/// that another node replaced meanwhile gets an immediate shutdown, like a fenced one, before it rejoins as a replica.
/// </summary>
[NonParallelizable]
public sealed partial class LeftoverPostmasterTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task NodeKilled_ItsPidFileNamesAnotherClustersPostgres_ThatServerIsLeftAlone_TheStaleFileRemoved_NodeStarts()
    {
        await using var stranger = new NodeProcess(new NodeConfigFile(_temp, "stranger"));
        await stranger.StartAndWaitReadyAsync();
        var strangerPostgres = NodeDatabase.PostmasterPid(stranger);
        var config = new NodeConfigFile(_temp, "recycled");
        await using var first = new NodeProcess(config);
        await first.StartAndWaitReadyAsync();
        var ownPostgres = NodeDatabase.PostmasterPid(first);
        Posix.Kill(first.Pid, Posix.SigKill);
        Posix.Kill(ownPostgres, Posix.SigKill);
        Assert.That(await Posix.WaitGoneAsync(ownPostgres, TimeSpan.FromSeconds(10)), Is.True);

        // As after a reboot: the pid in the file now belongs to another process, here another cluster's postmaster.
        var pidFile = Path.Combine(config.DataDir, "postgres", "postmaster.pid");
        var lines = File.ReadAllLines(pidFile);
        lines[0] = strangerPostgres.ToString(CultureInfo.InvariantCulture);
        File.WriteAllLines(pidFile, lines);

        await using var second = new NodeProcess(config);
        await second.StartAndWaitReadyAsync();

        Assert.That(Posix.IsAlive(strangerPostgres), Is.True, "the other cluster's postmaster was not signalled");
        var module = await stranger.ModuleAsync("postgres");
        Assert.That(module.GetProperty("data").GetProperty("pid").GetInt32(), Is.EqualTo(strangerPostgres));
        Assert.That(module.GetProperty("data").GetProperty("restarts").GetInt32(), Is.Zero);
        Assert.That(second.Output, Does.Contain($"Removed a stale postmaster.pid: pid {strangerPostgres} is another process now"));
        Assert.That(second.Output, Does.Not.Contain("Stopping PostgreSQL"));
    }

    [Test]
    public async Task LeadKilled_BackupPromotedMeanwhile_ItsLeftoverPrimaryGetsAnImmediateShutdown_AndItRejoinsAsReplica()
    {
        await using var redis = await ExternalRedis.StartAsync(_temp);
        await using var mesh = await Mesh.StartAsync(_temp, c => c.Sections["redis"] = $"managed: false\nurl: {redis.Url}");
        var backup = await mesh.AddAsync("backup1", "backup");
        await ReplicationViews.WaitForAsync(mesh.Lead, ReplicationViews.HasSyncStandby("backup1"), seconds: 30);
        var leftover = NodeDatabase.PostmasterPid(mesh.Lead);
        Posix.Kill(mesh.Lead.Pid, Posix.SigKill);
        Assert.That(await Posix.WaitGoneAsync(mesh.Lead.Pid, TimeSpan.FromSeconds(10)), Is.True);
        await ReplicationViews.WaitForAsync(backup, ReplicationViews.IsPrimary, seconds: 30);
        Assert.That(Posix.IsAlive(leftover), Is.True, "the old primary's PostgreSQL outlived its node");

        var oldLead = mesh.Track(new NodeProcess(mesh.Lead.Config));
        await oldLead.StartAndWaitReadyAsync(TimeSpan.FromSeconds(90));

        Assert.That(oldLead.Output, Does.Contain($"Stopping PostgreSQL (pid {leftover}) left running by an earlier node process: immediate shutdown: the primary at {backup.Config.Address}:{backup.Config.PostgresPort} replaced it"));
        var stopped = StoppedLine().Match(oldLead.Output);
        Assert.That(stopped.Success, Is.True, oldLead.Output);
        Assert.That(stopped.Groups["pid"].Value, Is.EqualTo(leftover.ToString(CultureInfo.InvariantCulture)));
        Assert.That(stopped.Groups["how"].Value, Is.EqualTo("immediate shutdown"));
        // Not a benchmark: a bound far below the 30 s stop timeout, which a shutdown that hangs would run into.
        Assert.That(double.Parse(stopped.Groups["seconds"].Value, CultureInfo.InvariantCulture), Is.LessThan(10));
        Assert.That(Posix.IsAlive(leftover), Is.False);
        await ReplicationViews.WaitForAsync(oldLead, v => ReplicationViews.StreamsFrom(v, backup), seconds: 30);
    }

    [GeneratedRegex(@"Stopped PostgreSQL \(pid (?<pid>\d+)\) left running by an earlier node process: (?<how>[^\r\n]+?) in (?<seconds>\d+\.\d) s")]
    private static partial Regex StoppedLine();
}
