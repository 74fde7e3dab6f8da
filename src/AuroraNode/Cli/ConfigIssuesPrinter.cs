using AuroraNode.Modules.Configuration;

namespace AuroraNode.Cli;

/// <summary>Prints config errors and warnings one per line: <c>file:line: key: what is wrong</c>.</summary>
internal static class ConfigIssuesPrinter
{
    public static void Print(ConfigReport report, TextWriter output)
    {
        foreach (var warning in report.Warnings)
        {
            output.WriteLine($"warning: {warning}");
        }

        foreach (var error in report.Errors)
        {
            output.WriteLine($"error: {error}");
        }

        if (report.Errors.Count > 0)
        {
            output.WriteLine($"aurora-node: {report.Errors.Count} configuration error{(report.Errors.Count == 1 ? "" : "s")}; nothing was started");
        }
    }
}
