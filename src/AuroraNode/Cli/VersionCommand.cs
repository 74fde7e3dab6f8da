using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using AuroraNode.Configuration;

namespace AuroraNode.Cli;

/// <summary><c>aurora-node version [--json]</c></summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var json = CliOptions.Json();
        var command = new Command("version", "Print the version of this executable") { json };
        command.SetAction(result =>
        {
            var info = new
            {
                version = NodeSettingsReader.Version,
                runtime = RuntimeInformation.FrameworkDescription,
                os = RuntimeInformation.OSDescription,
                arch = RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            };
            Console.WriteLine(result.GetValue(json)
                ? JsonSerializer.Serialize(info, CliJson.Options)
                : $"aurora-node {info.version} ({info.runtime}, {info.os}, {info.arch})");
            return AuroraCli.Ok;
        });
        return command;
    }
}
