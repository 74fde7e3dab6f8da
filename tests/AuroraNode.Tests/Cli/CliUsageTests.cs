using System.Text.Json;
using AuroraNode.Tests.TestKit;

namespace AuroraNode.Tests.Cli;

public sealed class CliUsageTests
{
    [TestCase("bogus")]
    [TestCase("status", "--no-such-flag")]
    [TestCase("config")]
    [TestCase("config", "verify")]
    [TestCase()]
    public async Task UnknownVerbOrFlag_PrintsUsageAndExits2(params string[] args)
    {
        var result = await Executable.RunAsync(args);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Stderr, Does.Contain("Usage: aurora-node"));
    }

    [Test]
    public async Task Help_ListsEveryVerb()
    {
        var result = await Executable.RunAsync("--help");

        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(result.Stdout, Does.Contain("run").And.Contain("status").And.Contain("config").And.Contain("version"));
    }

    [Test]
    public async Task VersionJson_IsParseableWithTheVersion()
    {
        var result = await Executable.RunAsync("version", "--json");

        Assert.That(result.ExitCode, Is.Zero);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That(json.GetProperty("version").GetString(), Does.Match(@"^\d+\.\d+\.\d+"));
    }

    [Test]
    public async Task ConfigCheck_ShippedConfig_IsValid()
    {
        var result = await Executable.RunAsync("config", "check", "--config", Path.Combine(Executable.RepoRoot, "aurora-node.yaml"));

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Stdout, Does.Contain("valid").And.Contain("modules redis, postgres, eventbus, registry"));
    }

    [Test]
    public async Task ConfigCheck_BadConfig_ListsEveryErrorWithFileLineAndExits1()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("bad.yaml");
        await File.WriteAllTextAsync(path, "node:\n  roles: [lead, wizard]\napi:\n  listen: 1.2.3.4:99999\nunknown_section: 1\n");

        var result = await Executable.RunAsync("config", "check", "--config", path);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Stderr, Does.Contain($"error: {path}:2: node.roles: unknown role 'wizard'"));
        Assert.That(result.Stderr, Does.Contain($"error: {path}:4: api.listen:"));
        Assert.That(result.Stderr, Does.Contain($"warning: {path}:5: unknown_section: unknown key"));
    }

    [Test]
    public async Task ConfigCheckJson_BadConfig_GivesMachineReadableErrors()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("bad.yaml");
        await File.WriteAllTextAsync(path, "postgres:\n  port: lots\n");

        var result = await Executable.RunAsync("config", "check", "--config", path, "--json");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That(json.GetProperty("valid").GetBoolean(), Is.False);
        Assert.That(json.GetProperty("errors")[0].GetProperty("key").GetString(), Is.EqualTo("postgres.port"));
    }

    [Test]
    public async Task Status_NoNodeRunning_SaysSoAndExits1()
    {
        var result = await Executable.RunAsync("status", "--api", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("no node answering"));
    }

    [Test]
    public async Task Status_ApiNotAUrl_IsAUsageError()
    {
        var result = await Executable.RunAsync("status", "--api", "not a url");

        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Stderr, Does.Contain("--api must be an http(s) URL"));
    }
}
