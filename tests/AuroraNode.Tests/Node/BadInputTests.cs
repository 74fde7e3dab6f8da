using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Node;

/// <summary>Each start-up problem a user can cause: one line naming the key and the fix, non-zero exit, nothing damaged.</summary>
[NonParallelizable]
public sealed class BadInputTests
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory();

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [TestCase("api")]
    [TestCase("postgres")]
    [TestCase("redis")]
    public async Task PortInUse_StopsWithTheKeyAndLeavesNoServerRunning(string which)
    {
        var config = new NodeConfigFile(_temp, "busy-" + which);
        var port = which switch { "api" => config.ApiPort, "postgres" => config.PostgresPort, _ => config.RedisPort };
        using var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();
        var key = which == "api" ? "api.listen" : $"{which}.port";

        var (exit, output) = await RunToExitAsync(config);

        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"aurora-node: {key}: port {port}").And.Contain("already in use"));
        Assert.That(output, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(ProcessCleanup.ProcessesUnder(config.DataDir), Is.Empty, "no PostgreSQL or Redis left behind");
    }

    [Test]
    public async Task MissingPostgresBinaries_NamesTheKeyAndTheFix()
    {
        var config = new NodeConfigFile(_temp, "nobin");
        config.Sections["postgres"] = $"port: {config.PostgresPort}\nbin_dir: /opt/no-postgres-here/bin";

        var (exit, output) = await RunToExitAsync(config);

        Assert.That(exit, Is.EqualTo(78), "EX_CONFIG: a service manager must not retry it");
        Assert.That(output, Does.Contain("postgres.bin_dir: no PostgreSQL server binaries").And.Contain("nothing was started"));
        Assert.That(Directory.Exists(config.DataDir), Is.False);
    }

    [Test]
    public async Task UnwritableDataDir_NamesTheKey()
    {
        var config = new NodeConfigFile(_temp, "unwritable");
        var file = _temp.Combine("a-file");
        await File.WriteAllTextAsync(file, "not a folder");
        config.Sections["node"] = $"name: unwritable\ndata_dir: {file}/data";

        var (exit, output) = await RunToExitAsync(config);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("node.data_dir:").And.Contain("is not a writable folder"));
    }

    [Test]
    public async Task DataDirOfAnotherPostgresMajorVersion_IsRefusedAndLeftUntouched()
    {
        var config = new NodeConfigFile(_temp, "oldpg");
        var pgDir = Path.Combine(config.DataDir, "postgres");
        Directory.CreateDirectory(Path.Combine(pgDir, "base"));
        await File.WriteAllTextAsync(Path.Combine(pgDir, "PG_VERSION"), "9\n");
        await File.WriteAllTextAsync(Path.Combine(pgDir, "base", "precious"), "user data");
        var before = Fingerprint(pgDir);

        var (exit, output) = await RunToExitAsync(config);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("was created by PostgreSQL 9").And.Contain("pg_upgrade"));
        Assert.That(Fingerprint(pgDir), Is.EqualTo(before));
    }

    [Test]
    public async Task SomethingElseWherePostgresGoes_IsRefusedAndLeftUntouched()
    {
        var config = new NodeConfigFile(_temp, "squatted");
        var pgDir = Path.Combine(config.DataDir, "postgres");
        Directory.CreateDirectory(pgDir);
        await File.WriteAllTextAsync(Path.Combine(pgDir, "notes.txt"), "mine");

        var (exit, output) = await RunToExitAsync(config);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("not a PostgreSQL data directory"));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(pgDir, "notes.txt")), Is.EqualTo("mine"));
    }

    [Test]
    public async Task SecondNodeOnTheSameDataDir_IsRefused()
    {
        var config = new NodeConfigFile(_temp, "twice");
        await using var first = new NodeProcess(config);
        await first.StartAndWaitReadyAsync();
        var twin = new NodeConfigFile(_temp, "twice-b");
        twin.Sections["node"] = $"name: twice-b\ndata_dir: {config.DataDir}";

        var (exit, output) = await RunToExitAsync(twin);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("another aurora-node is already running"));
        Assert.That(await first.IsReadyAsync(), Is.True);
    }

    private static async Task<(int Exit, string Output)> RunToExitAsync(NodeConfigFile config)
    {
        await using var node = new NodeProcess(config);
        node.Start();
        var exit = await node.WaitForExitAsync();
        return (exit, node.Output);
    }

    private static string Fingerprint(string dir) =>
        string.Join("\n", Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Order()
            .Select(f => f + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))));
}
