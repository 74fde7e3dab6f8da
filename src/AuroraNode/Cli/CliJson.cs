using System.Text.Json;

namespace AuroraNode.Cli;

/// <summary>JSON as the CLI prints it and as the API writes it: snake_case, indented.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };
}
