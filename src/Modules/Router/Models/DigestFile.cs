using System.Text.Json;

namespace AuroraNode.Modules.Router.Models;

/// <summary>The JSON that <see cref="DigestCache"/> keeps: each model file's path, size, time and SHA-256.</summary>
internal sealed record DigestFile(int Version, IReadOnlyList<DigestFile.Entry>? Files)
{
    public const int CurrentVersion = 1;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    internal sealed record Entry(string Path, long Size, DateTimeOffset ModifiedAt, string Sha256);
}
